using System.Globalization;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>How one trainer job ended.</summary>
/// <param name="CpuSeconds">User + system CPU time of the trainer process (what the job costs on an otherwise idle machine).</param>
/// <param name="Reused">The job had already completed in this work folder: its recorded times are reported, nothing ran.</param>
public sealed record JobRun(string Verb, string Output, int ExitCode, double Seconds, double CpuSeconds, string Tail, bool Reused = false)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs <c>dotnet rlhf-trainer.dll {verb} --spec {file}</c> (the real trainer process) against a local store, echoing its
/// progress lines. Outputs are content-addressed (<see cref="OutputFor"/>): a job whose verb, inputs and params are
/// unchanged writes to the same folder, so in a reused work folder it is complete already and is not run again.
/// </summary>
/// <param name="goldKey">
/// A fingerprint of the gold scorer's code (<see cref="GoldFingerprint"/>): jobs that read the lexicons score with the gold inside
/// the trainer, so a change of the gold's code (not only of its files) must give them new outputs.
/// </param>
public sealed class TrainerRunner(string storeRoot, string workRoot, BenchConfig config, TextWriter log, string goldKey = "")
{
    public static string TrainerDll => Path.Combine(AppContext.BaseDirectory, "rlhf-trainer.dll");

    /// <summary>
    /// <c>runs/bench/{name}-{key}</c>, key = 10 hex digits of SHA-256 over verb, inputs, params, seed, threads (which change floating-point sums) and, for jobs that read the lexicons, the gold's fingerprint. Inputs
    /// name content-addressed paths (data under <see cref="ContentKey"/>, upstream jobs under their own key), so the key
    /// changes whenever anything the job reads changes.
    /// </summary>
    public string OutputFor(string name, string verb, JsonObject inputs, JsonObject parameters)
    {
        var key = new JsonObject
        {
            ["verb"] = verb,
            ["inputs"] = inputs.DeepClone(),
            ["params"] = parameters.DeepClone(),
            ["seed"] = config.Seed,
            ["threads"] = config.ThreadsFor(verb),
        };
        if (inputs.ContainsKey("lexicons"))
        {
            key["gold"] = goldKey;
        }

        return $"runs/bench/{name}-{ContentKey(Encoding.UTF8.GetBytes(key.ToJsonString()))}";
    }

    /// <summary>10 hex digits of SHA-256 over the gold totals (V1 and the default) of fixed strings: changes whenever the gold's code does.</summary>
    public static string GoldFingerprint(Rlhf.Core.Demo.GoldScorer gold, Rlhf.Core.Demo.GoldScorer goldV1, IEnumerable<(string Prompt, string Text)> probes) =>
        ContentKey(Encoding.UTF8.GetBytes(string.Join('\n', probes.Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{gold.Score(p.Prompt, p.Text).Total:R} {goldV1.Score(p.Prompt, p.Text).Total:R}")))));

    /// <summary>10 hex digits of SHA-256 of <paramref name="content"/>.</summary>
    public static string ContentKey(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content))[..10];

    public async Task<JobRun> RunAsync(string verb, string output, JsonObject inputs, JsonObject parameters, CancellationToken cancellationToken = default)
    {
        var record = Path.Combine(workRoot, $"{verb}-{output.Replace('/', '-')}.run.json");
        if (File.Exists(record) && File.Exists(Path.Combine(storeRoot, output, "manifest.json")))
        {
            var done = JsonSerializer.Deserialize<JobRun>(await File.ReadAllTextAsync(record, cancellationToken))!;
            log.WriteLine($"    reused {output} (completed earlier: {done.Seconds:F0} s, {done.CpuSeconds:F0} CPU-s)");
            return done with { Reused = true };
        }

        var spec = new JsonObject
        {
            ["verb"] = verb,
            ["jobId"] = $"bench-{verb}-{output.Replace('/', '-')}",
            ["store"] = storeRoot,
            ["output"] = output,
            ["inputs"] = inputs,
            ["params"] = parameters,
            ["seed"] = config.Seed,
            ["threads"] = config.ThreadsFor(verb),
            ["checkpointEvery"] = 0,
            ["progressEvery"] = 25,
        };
        Directory.CreateDirectory(workRoot);
        var specFile = Path.Combine(workRoot, $"{verb}-{output.Replace('/', '-')}.json");
        await File.WriteAllTextAsync(specFile, spec.ToJsonString(), cancellationToken);

        // bash's `times` prints the children's user and system CPU time last: the job's own cost, whatever else runs.
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var timesFile = specFile + ".times";
        foreach (var arg in new[] { "-c", "dotnet \"$@\"; rc=$?; times > \"$TIMES_FILE\"; exit $rc", "bash", TrainerDll, verb, "--spec", specFile })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["RLHF_WORK_DIR"] = workRoot;
        info.Environment.TryAdd("OMP_WAIT_POLICY", "PASSIVE");                                   // idle OpenMP workers sleep instead of spinning on the other job's core
        info.Environment["TIMES_FILE"] = timesFile;
        var tail = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (tail)
            {
                log.WriteLine($"    {line}");
                tail.Enqueue(line);
                if (tail.Count > 20)
                {
                    tail.Dequeue();
                }
            }
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(cancellationToken);
        process.WaitForExit();
        var times = File.ReadAllLines(timesFile).Last().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseTime).Sum();
        var run = new JobRun(verb, output, process.ExitCode, clock.Elapsed.TotalSeconds, times, string.Join('\n', tail));
        if (run.Succeeded)
        {
            await File.WriteAllTextAsync(record, JsonSerializer.Serialize(run), cancellationToken);
        }

        return run;
    }

    /// <summary><c>1m2.345s</c> → 62.345.</summary>
    private static double ParseTime(string text)
    {
        var m = text.IndexOf('m', StringComparison.Ordinal);
        return m < 0 ? 0 : (double.Parse(text[..m], CultureInfo.InvariantCulture) * 60) + double.Parse(text[(m + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture);
    }
}
