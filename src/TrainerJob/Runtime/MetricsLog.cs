using System.Text;
using System.Text.Json;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// The job's <c>metrics.jsonl</c>: one JSON object per logged step, <c>{"step":120,"sft/loss":2.31,...}</c>,
/// appended (and flushed) to a local file as training goes.
/// <para>
/// Layout in the store (blobs are write-once): every checkpoint carries the log up to its step
/// (<c>checkpoints/step-000120/metrics.jsonl</c>); a resumed attempt restores the log from the checkpoint
/// it resumes from, dropping the lines a killed attempt wrote after it, so the final
/// <c>{output}/metrics.jsonl</c>, uploaded once at the end, is the same as an uninterrupted run's.
/// A failing attempt uploads what it has as <c>{output}/metrics/attempt-{n}.jsonl</c> for diagnosis.
/// </para>
/// Wall-clock figures (throughput, ETA) are never logged here, so the file is deterministic.
/// </summary>
public sealed class MetricsLog
{
    private readonly Dictionary<string, double> _latest = new(StringComparer.Ordinal);

    public MetricsLog(string localFile)
    {
        LocalFile = localFile;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localFile))!);
        File.WriteAllBytes(localFile, []);
    }

    public string LocalFile { get; }

    /// <summary>The latest value of every key logged so far.</summary>
    public IReadOnlyDictionary<string, double> Latest => _latest;

    /// <summary>Appends one line for <paramref name="step"/> (no-op for an empty set).</summary>
    public void Log(long step, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
        {
            return;
        }

        using (var file = new FileStream(LocalFile, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            file.Write(FormatLine(step, metrics));
            file.Flush(flushToDisk: false);
        }

        foreach (var (key, value) in metrics)
        {
            _latest[key] = value;
        }
    }

    /// <summary>The whole log as written so far.</summary>
    public byte[] ReadAll() => File.ReadAllBytes(LocalFile);

    /// <summary>Replaces the log with <paramref name="content"/> (a checkpoint's copy) and rebuilds <see cref="Latest"/>.</summary>
    public void Restore(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        File.WriteAllBytes(LocalFile, content);
        _latest.Clear();
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            foreach (var property in doc.RootElement.EnumerateObject().Where(p => p.Name != "step"))
            {
                _latest[property.Name] = property.Value.ValueKind == JsonValueKind.Number
                    ? property.Value.GetDouble()
                    : double.Parse(property.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>One line: <c>{"step":n,"key":value,...}\n</c>; non-finite values as strings ("NaN", "Infinity").</summary>
    public static byte[] FormatLine(long step, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("step", step);
            foreach (var (key, value) in metrics)
            {
                if (double.IsFinite(value))
                {
                    writer.WriteNumber(key, value);
                }
                else
                {
                    writer.WriteString(key, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
