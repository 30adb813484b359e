using System.Text.Json;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// Everything a verb needs while it runs: the spec, the store, staged inputs, write-once outputs, the job's seeded
/// generator, metrics, progress/heartbeat and checkpoints. Created by <see cref="TrainerCli"/> after the spec is
/// validated; the verb never writes <c>status.json</c>, <c>metrics.jsonl</c> or <c>manifest.json</c> itself.
/// <para>Layout under <c>{output}/</c>: the verb's outputs, <c>checkpoints/step-NNNNNN/</c>, <c>status.json</c>
/// (heartbeat), <c>metrics.jsonl</c> and <c>manifest.json</c> (both written at the end, the manifest last),
/// <c>metrics/attempt-{n}.jsonl</c> (only from a failed attempt).</para>
/// </summary>
public sealed class JobContext : IDisposable
{
    private readonly InputStager _stager;
    private readonly StatusWriter _status;
    private readonly ProgressReporter _progress;
    private readonly AttemptTelemetry? _telemetry;
    private readonly List<ArtifactRef> _inputs = [];
    private readonly List<ArtifactRef> _outputs = [];
    private readonly long? _crashAtStep = long.TryParse(Environment.GetEnvironmentVariable(CrashAtStepVariable), out var step) ? step : null;
    private long _step;

    private JobContext(JobSpec spec, IArtifactStore store, Device device, int attempt, string workRoot, TextWriter output, TimeProvider time, AttemptTelemetry? telemetry)
    {
        Spec = spec;
        Store = store;
        Device = device;
        Attempt = attempt;
        Output = output;
        WorkDir = Path.Combine(workRoot, "jobs", spec.JobId);
        Directory.CreateDirectory(WorkDir);
        _stager = new InputStager(store, Path.Combine(workRoot, "cache"));
        _status = new StatusWriter(store, spec, attempt, time);
        _progress = new ProgressReporter(spec.Verb, spec.ProgressEvery, output, time);
        Generator = new Generator((ulong)spec.Seed, CPU);
        Metrics = new MetricsLog(Path.Combine(WorkDir, "metrics.jsonl"));
        _telemetry = telemetry;
        Checkpoints = new CheckpointManager(store, _stager, spec.Output, spec.CheckpointEvery, WorkDir, Metrics, Generator, output, telemetry);
    }

    /// <summary>Test-only fault injection: when set to N, the process exits with code 137 at step N, as if killed.</summary>
    public const string CrashAtStepVariable = "RLHF_TRAINER_CRASH_AT_STEP";

    public JobSpec Spec { get; }

    public IArtifactStore Store { get; }

    /// <summary>The torch device from the spec (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>), already checked to exist.</summary>
    public Device Device { get; }

    /// <summary>1 for the first start of this job id, previous attempt + 1 after that.</summary>
    public int Attempt { get; }

    /// <summary>A local scratch folder for this job (<c>{work}/jobs/{jobId}</c>; <c>RLHF_WORK_DIR</c> or the temp folder).</summary>
    public string WorkDir { get; }

    /// <summary>The job's own CPU generator, seeded with <c>spec.seed</c> and restored from checkpoints: draw every random choice from it.</summary>
    public Generator Generator { get; }

    public MetricsLog Metrics { get; }

    public CheckpointManager Checkpoints { get; }

    /// <summary>Total steps of the job, shown in progress lines and the heartbeat; set by the verb before its loop.</summary>
    public long TotalSteps { get; set; }

    /// <summary>Where progress lines go (stdout).</summary>
    public TextWriter Output { get; }

    /// <summary>Checks that every input of the spec exists (file or non-empty prefix), writing nothing.</summary>
    public static async Task CheckInputsAsync(IArtifactStore store, JobSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stager = new InputStager(store, cacheRoot: string.Empty);
        foreach (var (name, path) in spec.Inputs)
        {
            JobSpecException.Require(
                await stager.ExistsAsync(path, cancellationToken).ConfigureAwait(false),
                $"inputs.{name}",
                $"names '{path}', which does not exist in store '{store.Location}'");
        }
    }

    /// <summary>
    /// Starts an attempt: clears unpublished outputs of earlier attempts (not checkpoints) and writes status Running.
    /// Progress, checkpoints and resumes become events of <paramref name="telemetry"/>'s span.
    /// </summary>
    public static async Task<JobContext> BeginAsync(
        JobSpec spec, IArtifactStore store, Device device, TextWriter output, TimeProvider time, AttemptTelemetry? telemetry = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(store);
        var attempt = await StatusWriter.NextAttemptAsync(store, spec, cancellationToken).ConfigureAwait(false);
        var prefix = spec.Output.TrimEnd('/') + "/";
        var stale = new List<string>();
        await foreach (var path in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var relative = path[prefix.Length..];
            if (!relative.StartsWith("checkpoints/", StringComparison.Ordinal) && !relative.StartsWith("metrics/", StringComparison.Ordinal) && relative != "status.json")
            {
                stale.Add(path);
            }
        }

        foreach (var path in stale)
        {
            await store.DeletePrefixAsync(path, cancellationToken).ConfigureAwait(false);
        }

        var workRoot = Environment.GetEnvironmentVariable("RLHF_WORK_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "rlhf-trainer");
        var context = new JobContext(spec, store, device, attempt, workRoot, output, time, telemetry);
        await context._status.WriteAsync(JobState.Running, 0, 0, null, $"attempt {attempt} started", cancellationToken).ConfigureAwait(false);
        return context;
    }

    /// <summary>Stages the input named <paramref name="name"/> and returns its local path (a file, or a folder for a model prefix); recorded in the manifest.</summary>
    public async Task<string> StageInputAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = JobParams.RequireInput(Spec, name);
        var staged = await _stager.StageAsync(path, Path.Combine(WorkDir, "inputs", name), cancellationToken).ConfigureAwait(false);
        _inputs.AddRange(staged.Artifacts.Where(a => !_inputs.Contains(a)));
        return staged.LocalPath;
    }

    /// <summary>Writes <c>{output}/{relativePath}</c> once and records it in the manifest.</summary>
    public async Task<ArtifactRef> WriteOutputAsync(string relativePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var reference = await Store.PutAsync(OutputPath(relativePath), content, cancellationToken).ConfigureAwait(false);
        _outputs.Add(reference);
        return reference;
    }

    /// <summary>Uploads a local file to <c>{output}/{relativePath}</c> once and records it in the manifest.</summary>
    public async Task<ArtifactRef> WriteOutputFileAsync(string relativePath, string localFile, CancellationToken cancellationToken = default)
    {
        var reference = await Store.PutFileAsync(OutputPath(relativePath), localFile, cancellationToken).ConfigureAwait(false);
        _outputs.Add(reference);
        return reference;
    }

    /// <summary>Uploads every file of <paramref name="localFolder"/> (ordinal order) under <c>{output}/{relativePrefix}/</c>.</summary>
    public async Task<IReadOnlyList<ArtifactRef>> WriteOutputFolderAsync(string relativePrefix, string localFolder, CancellationToken cancellationToken = default)
    {
        var refs = new List<ArtifactRef>();
        foreach (var file in Directory.GetFiles(localFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(localFolder, file).Replace(Path.DirectorySeparatorChar, '/');
            refs.Add(await WriteOutputFileAsync($"{relativePrefix.TrimEnd('/')}/{relative}", file, cancellationToken).ConfigureAwait(false));
        }

        return refs;
    }

    /// <summary>The store path of <c>{output}/{relativePath}</c>.</summary>
    public string OutputPath(string relativePath) => ArtifactPath.Combine(Spec.Output, relativePath);

    /// <summary>
    /// Ends step <paramref name="step"/>: appends <paramref name="metrics"/> (namespaced keys, e.g. <c>sft/loss</c>) to
    /// <c>metrics.jsonl</c>, prints the progress line and writes the heartbeat when due. <paramref name="tokens"/> is the
    /// number of tokens the step processed (for throughput).
    /// </summary>
    public async Task StepAsync(long step, IReadOnlyDictionary<string, double> metrics, long tokens = 0, CancellationToken cancellationToken = default)
    {
        _step = step;
        if (step == _crashAtStep)
        {
            // Fault injection for resume tests: die like a killed process (no status, no clean-up) before this step is logged.
            Environment.Exit(137);
        }

        Metrics.Log(step, metrics);
        if (_progress.OnStep(step, TotalSteps, metrics, tokens))
        {
            _telemetry?.Progress(step, TotalSteps, metrics);
            await _status.WriteAsync(JobState.Running, step, TotalSteps, Metrics.Latest, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Prints a free-form line prefixed with the verb (<c>[sft] resumed from step 120</c>).</summary>
    public void Log(string message)
    {
        Output.WriteLine($"[{Spec.Verb}] {message}");
        Output.Flush();
    }

    /// <summary>Uploads <c>metrics.jsonl</c>, writes <c>manifest.json</c>, status Succeeded and the exit record (code 0).</summary>
    internal async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await WriteOutputAsync("metrics.jsonl", Metrics.ReadAll(), cancellationToken).ConfigureAwait(false);
        var output = Spec.Output.TrimEnd('/');
        var segments = output.Split('/');
        var manifest = ManifestWriter.Build(
            step: segments[^1],
            codeVersion: CodeVersion.Current,
            inputs: _inputs,
            outputs: _outputs,
            spec: JsonSerializer.SerializeToNode(Spec, JsonDefaults.Options),
            metrics: Metrics.Latest.Where(m => double.IsFinite(m.Value)).ToDictionary(),
            runId: segments is ["runs", var runId, _, ..] ? runId : null,
            build: CodeVersion.Build);
        await ManifestWriter.WriteAsync(Store, output, manifest, cancellationToken).ConfigureAwait(false);
        await _status.WriteAsync(JobState.Succeeded, _step, TotalSteps, Metrics.Latest, "succeeded", cancellationToken).ConfigureAwait(false);
        await _status.WriteExitAsync(JobExitCodes.Succeeded, "succeeded", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads the attempt's metrics for diagnosis, writes status Failed with <paramref name="error"/>'s message and the exit record (code 1).</summary>
    internal async Task FailAsync(Exception error, CancellationToken cancellationToken)
    {
        var message = error is OperationCanceledException ? "cancelled" : $"{error.GetType().Name}: {error.Message}";
        try
        {
            await Store.PutAsync(OutputPath($"metrics/attempt-{Attempt}.jsonl"), Metrics.ReadAll(), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _status.WriteAsync(JobState.Failed, _step, TotalSteps, Metrics.Latest, message, cancellationToken).ConfigureAwait(false);
            await _status.WriteExitAsync(JobExitCodes.Failed, message, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => Generator.Dispose();
}
