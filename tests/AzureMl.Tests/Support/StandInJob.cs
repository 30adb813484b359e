using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;

namespace Rlhf.AzureMl.Tests.Support;

/// <summary>What the stand-in does with a job, decided when the job is created.</summary>
internal enum JobFault
{
    /// <summary>Runs the trainer to its end: Completed on exit code 0, Failed otherwise.</summary>
    None,

    /// <summary>Goes Failed without starting the trainer (as when the image cannot be pulled).</summary>
    Fails,

    /// <summary>Once the trainer wrote its first complete checkpoint, its node dies: the trainer is killed (SIGKILL) and the job goes Failed.</summary>
    NodeDiesAtCheckpoint,

    /// <summary>Once the trainer wrote its first complete checkpoint, Azure ML loses the node: NotResponding, while the trainer runs on until cancelled.</summary>
    NotRespondingAtCheckpoint,

    /// <summary>Stays in <see cref="JobPlan.Status"/> and never runs (to see how the runner reads each status).</summary>
    Pinned,
}

/// <summary>The stand-in's plan for one job.</summary>
internal sealed record JobPlan(JobFault Fault = JobFault.None, string? Status = null);

/// <summary>
/// One Azure ML command job on the stand-in's "cluster": NotStarted, Queued until a node is free, Preparing, Running (the real
/// trainer, <c>dotnet rlhf-trainer.dll {verb} --spec {uri}</c>, with the job's environment variables, its output in the job's
/// <c>user_logs/std_log.txt</c>), Finalizing, then Completed or Failed by the exit code; Canceled after a cancel; Failed when
/// <c>limits.timeout</c> passes. A <see cref="JobFault"/> changes that course.
/// </summary>
internal sealed partial class StandInJob
{
    private static readonly TimeSpan StateDelay = TimeSpan.FromMilliseconds(100);

    private readonly object _gate = new();
    private readonly CancellationTokenSource _cancel = new();
    private Process? _trainer;
    private string _status = "NotStarted";

    public StandInJob(string name, JsonObject resource, JobPlan plan, string logFile)
    {
        Name = name;
        Resource = resource;
        Plan = plan;
        LogFile = logFile;
        if (plan.Fault == JobFault.Pinned)
        {
            _status = plan.Status ?? throw new ArgumentException("A pinned job needs a status.", nameof(plan));
        }
    }

    public string Name { get; }

    /// <summary>The job resource as PUT (with id, name and type); GET adds the current status.</summary>
    public JsonObject Resource { get; }

    public JobPlan Plan { get; }

    public string LogFile { get; }

    public bool CancelRequested { get; private set; }

    /// <summary>The trainer's exit code, once it exited.</summary>
    public int? ExitCode { get; private set; }

    public string Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    public JsonObject Properties => (JsonObject)Resource["properties"]!;

    public IReadOnlyDictionary<string, string> EnvironmentVariables =>
        ((JsonObject?)Properties["environmentVariables"])?.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];

    /// <summary>Runs the job's course on one of <paramref name="nodes"/>.</summary>
    public async Task RunAsync(SemaphoreSlim nodes, string trainerDll, IReadOnlyDictionary<string, string> nodeEnvironment)
    {
        if (Plan.Fault == JobFault.Pinned)
        {
            return;
        }

        var holdsNode = false;
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        try
        {
            await Task.Delay(StateDelay, _cancel.Token);
            Set("Queued");
            await nodes.WaitAsync(_cancel.Token);
            holdsNode = true;
            Set("Preparing");
            await Task.Delay(StateDelay, _cancel.Token);
            if (Plan.Fault == JobFault.Fails)
            {
                await File.WriteAllTextAsync(LogFile, "stand-in: the image could not be pulled" + Environment.NewLine);
                Set("Failed");
                return;
            }

            var (verb, specUri) = ParseCommand((string)Properties["command"]!);
            using var log = new StreamWriter(LogFile, append: true) { AutoFlush = true };
            using var process = StartTrainer(trainerDll, verb, specUri, nodeEnvironment, log);
            Set("Running");
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
            var faults = Plan.Fault is JobFault.NodeDiesAtCheckpoint or JobFault.NotRespondingAtCheckpoint
                ? WatchCheckpointAsync(specUri, watch.Token)
                : Task.CompletedTask;
            var timeout = System.Xml.XmlConvert.ToTimeSpan((string)Properties["limits"]!["timeout"]!);
            using var timer = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                await process.WaitForExitAsync();
                await File.AppendAllTextAsync(LogFile, $"stand-in: the job exceeded its timeout {timeout}{Environment.NewLine}");
            }

            await process.WaitForExitAsync(); // and the end of its output
            await watch.CancelAsync();
            await faults.ContinueWith(_ => { }, TaskScheduler.Default);
            ExitCode = process.ExitCode;
            lock (_gate)
            {
                _trainer = null;
                if (CancelRequested)
                {
                    _status = "Canceled";
                }
                else if (_status is "NotResponding" or "Failed")
                {
                    // the node was lost or died: Azure ML never saw the exit
                }
                else
                {
                    _status = "Finalizing";
                }
            }

            if (Status == "Finalizing")
            {
                await Task.Delay(StateDelay);
                Set(process.ExitCode == 0 && !timer.IsCancellationRequested ? "Completed" : "Failed");
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            Set("Canceled");
        }
        finally
        {
            if (holdsNode)
            {
                nodes.Release();
            }
        }
    }

    /// <summary><c>POST …/cancel</c>: CancelRequested, the trainer killed, then Canceled (a job that already ended stays as it is).</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            if (_status is "Completed" or "Failed" or "Canceled")
            {
                return;
            }

            CancelRequested = true;
            _status = "CancelRequested";
            Kill(_trainer);
        }

        _cancel.Cancel();
    }

    /// <summary>Kills a trainer left running when the stand-in stops.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            Kill(_trainer);
        }

        _cancel.Cancel();
    }

    /// <summary>Splits <c>rlhf-trainer {verb} --spec {uri}</c>; anything else is refused when the job is created.</summary>
    public static (string Verb, string SpecUri) ParseCommand(string command) =>
        Command().Match(command) is { Success: true } m
            ? (m.Groups[1].Value, m.Groups[2].Value)
            : throw new FormatException($"The command '{command}' is not 'rlhf-trainer <verb> --spec <uri>'.");

    private Process StartTrainer(string trainerDll, string verb, string specUri, IReadOnlyDictionary<string, string> nodeEnvironment, StreamWriter log)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { trainerDll, verb, "--spec", specUri })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in nodeEnvironment.Concat(EnvironmentVariables))
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_gate)
        {
            _trainer = process;
        }

        return process;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>Waits for the job's first complete checkpoint (its <c>checkpoint.json</c> is written last), then applies the fault.</summary>
    private async Task WatchCheckpointAsync(string specUri, CancellationToken cancellationToken)
    {
        var (store, path) = ArtifactStores.OpenFile(specUri);
        var spec = await store.ReadJsonAsync<JobSpec>(path, cancellationToken);
        while (!await HasCheckpointAsync(store, spec.Output, cancellationToken))
        {
            await Task.Delay(50, cancellationToken);
        }

        lock (_gate)
        {
            if (Plan.Fault == JobFault.NodeDiesAtCheckpoint)
            {
                Kill(_trainer);
                _status = "Failed";
            }
            else
            {
                _status = "NotResponding";
            }
        }
    }

    private static async Task<bool> HasCheckpointAsync(IArtifactStore store, string output, CancellationToken cancellationToken)
    {
        await foreach (var blob in store.ListAsync($"{output}/checkpoints/", cancellationToken))
        {
            if (blob.EndsWith("/checkpoint.json", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void Set(string status)
    {
        lock (_gate)
        {
            if (!CancelRequested && _status is not ("NotResponding" or "Failed" or "Canceled" or "Completed"))
            {
                _status = status;
            }
        }
    }

    private static void Kill(Process? process)
    {
        try
        {
            process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited already
        }
    }

    [GeneratedRegex(@"^rlhf-trainer ([a-z]+) --spec (\S+)$")]
    private static partial Regex Command();
}
