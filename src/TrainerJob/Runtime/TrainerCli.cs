using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;
using Rlhf.TrainerJob.Verbs;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// <c>rlhf-trainer &lt;verb&gt; --spec &lt;file-or-blob-uri&gt;</c>: validates everything first (exit 2, nothing written),
/// then runs the verb with a <see cref="JobContext"/> (exit 0 with the manifest written, 1 with status Failed, or 2 with
/// status Failed when an input's data is invalid, <see cref="InvalidDataException"/>: deterministic, so not worth a retry).
/// A job whose manifest already exists is complete: the command exits 0 without running again.
/// </summary>
public static class TrainerCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is [] or ["--help" or "-h" or "help"])
        {
            await output.WriteAsync(Usage()).ConfigureAwait(false);
            return args.Length == 0 ? JobExitCodes.InvalidSpec : JobExitCodes.Succeeded;
        }

        if (args is ["--version"])
        {
            await output.WriteLineAsync($"{CodeVersion.Current} ({CodeVersion.Build})").ConfigureAwait(false);
            return JobExitCodes.Succeeded;
        }

        AttemptTelemetry? attempt = null;
        try
        {
            return await RunAttemptAsync(args, output, error, a => attempt = a, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            attempt?.Dispose(); // ends the span as failed if no path said how the attempt ended (an exception escaped)
        }
    }

    /// <summary>Validates, then runs the attempt; <paramref name="began"/> receives its telemetry once the spec is read (the caller disposes it).</summary>
    private static async Task<int> RunAttemptAsync(string[] args, TextWriter output, TextWriter error, Action<AttemptTelemetry> began, CancellationToken cancellationToken)
    {
        JobSpec spec;
        VerbRun run;
        IArtifactStore store;
        TorchSharp.torch.Device device;
        AttemptTelemetry? attempt = null;
        try
        {
            var (verbName, specLocation) = ParseArguments(args);
            var verb = VerbRegistry.Find(verbName)
                ?? throw new JobSpecException("verb", $"'{verbName}' is unknown (known: {string.Join(", ", VerbRegistry.All.Select(v => v.Name))})");
            spec = await JobSpecLoader.LoadAsync(specLocation, cancellationToken).ConfigureAwait(false);
            attempt = AttemptTelemetry.Begin(spec, Environment.GetEnvironmentVariable);
            began(attempt);
            JobSpecException.Require(spec.Verb == verb.Name, "verb", $"in the spec is '{spec.Verb}' but the command line says '{verb.Name}'");
            run = verb.Prepare(spec);
            device = TorchRuntime.Configure(spec);
            store = OpenStore(spec);
            if (await store.ExistsAsync(StepManifest.PathFor(spec.Output), cancellationToken).ConfigureAwait(false))
            {
                await output.WriteLineAsync($"[{spec.Verb}] {spec.Output} is already complete (manifest.json exists); nothing to do").ConfigureAwait(false);
                attempt.End(AttemptTelemetry.Complete);
                return JobExitCodes.Succeeded;
            }

            await JobContext.CheckInputsAsync(store, spec, cancellationToken).ConfigureAwait(false);
            await attempt.RecordQueueWaitAsync(store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JobSpecException or ArgumentException)
        {
            await error.WriteLineAsync($"rlhf-trainer: invalid job: {ex.Message}").ConfigureAwait(false);
            attempt?.End(AttemptTelemetry.Invalid, ex);
            return JobExitCodes.InvalidSpec;
        }

        using var context = await JobContext.BeginAsync(spec, store, device, output, TimeProvider.System, attempt, cancellationToken).ConfigureAwait(false);
        try
        {
            await run(context, cancellationToken).ConfigureAwait(false);
            await context.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"[{spec.Verb}] done: {StepManifest.PathFor(spec.Output)}").ConfigureAwait(false);
            attempt.End(AttemptTelemetry.Succeeded);
            return JobExitCodes.Succeeded;
        }
        catch (InvalidDataException ex)
        {
            // Deterministic: the same inputs fail the same way on every attempt, so exit with the permanent code (no retry)
            // and say which input and line, without a stack trace or the local staging path.
            await error.WriteLineAsync($"rlhf-trainer: {spec.Verb}: invalid input data: {ex.Message}").ConfigureAwait(false);
            await context.FailAsync(ex, CancellationToken.None).ConfigureAwait(false);
            attempt.End(AttemptTelemetry.Invalid, ex);
            return JobExitCodes.InvalidSpec;
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"rlhf-trainer: {spec.Verb} failed: {ex}").ConfigureAwait(false);
            await context.FailAsync(ex, CancellationToken.None).ConfigureAwait(false);
            attempt.End(ex is OperationCanceledException ? AttemptTelemetry.Cancelled : AttemptTelemetry.Failed, ex);
            return JobExitCodes.Failed;
        }
    }

    public static string Usage() =>
        $$"""
        usage: rlhf-trainer <verb> --spec <file-path-or-blob-uri>
               rlhf-trainer --help | --version

        verbs:
        {{string.Join(Environment.NewLine, VerbRegistry.All.Select(v => $"  {v.Name,-10}{v.Description}"))}}

        exit codes: 0 succeeded, 1 failed while running (see {output}/status.json), 2 invalid command line, spec or input data
        environment: RLHF_WORK_DIR (local scratch and input cache), {{ArtifactStores.ConnectionStringVariable}}

        """;

    private static (string Verb, string Spec) ParseArguments(string[] args) => args switch
    {
        [var verb, "--spec", var spec] => (verb, spec),
        [var verb, var option] when option.StartsWith("--spec=", StringComparison.Ordinal) => (verb, option["--spec=".Length..]),
        [_, ..] => throw new JobSpecException("command line", $"'{string.Join(' ', args)}' is not '<verb> --spec <file-or-uri>'"),
        _ => throw new JobSpecException("command line", "is empty"),
    };

    private static IArtifactStore OpenStore(JobSpec spec)
    {
        try
        {
            return ArtifactStores.Open(spec.Store);
        }
        catch (Exception ex) when (ex is not JobSpecException)
        {
            throw new JobSpecException("store", $"'{spec.Store}' cannot be opened: {ex.Message}");
        }
    }
}
