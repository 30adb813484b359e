namespace Rlhf.EndToEnd.Tests.Support;

/// <summary>
/// Everything the <c>rlhf serve</c> processes of one pipeline printed, across restarts: appended to a file in the
/// pipeline's data folder and kept in memory (last lines) for failure messages.
/// </summary>
internal sealed class HostLog : IDisposable
{
    private const int KeptLines = 200;

    private readonly Queue<string> _lines = new();
    private readonly StreamWriter _file;

    public HostLog(string file)
    {
        File = file;
        _file = new StreamWriter(file, append: true) { AutoFlush = true };
    }

    public string File { get; }

    public void Write(string line)
    {
        lock (_lines)
        {
            _file.WriteLine(line);
            if (!IsInteresting(line))
            {
                return;
            }

            _lines.Enqueue(line);
            while (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>The last <paramref name="count"/> lines worth reading (the file also has the framework's and engine's information lines).</summary>
    public string Tail(int count = 40)
    {
        lock (_lines)
        {
            var interesting = _lines.TakeLast(count);
            return $"--- rlhf serve output, last lines (framework information omitted) ---{Environment.NewLine}{string.Join(Environment.NewLine, interesting)}";
        }
    }

    private static bool IsInteresting(string line) =>
        !(line.StartsWith("info: Microsoft.", StringComparison.Ordinal) || line.StartsWith("info: DurableTask.", StringComparison.Ordinal));

    public void Dispose()
    {
        lock (_lines)
        {
            _file.Dispose();
        }
    }
}
