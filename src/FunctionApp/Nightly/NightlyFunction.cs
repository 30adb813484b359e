using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rlhf.Api;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.FunctionApp.Nightly;

/// <summary>
/// The nightly retraining schedule: a TimerTrigger on the <c>Rlhf:Nightly:Schedule</c> cron that starts a
/// <c>NightlyRetrain</c> orchestration through <see cref="NightlyRuns.StartAsync"/> (the same logic as the local
/// host's schedule): run id <c>nightly-{slot}</c>, so firings of one slot never start two runs, and a slot is
/// skipped while an earlier nightly run is still going.
/// </summary>
public sealed class NightlyFunction(IOptions<NightlyOptions> options, IArtifactStore store, TimeProvider clock, ILogger<NightlyFunction> logger)
{
    /// <summary>Function name (the orchestrator itself is registered as <c>NightlyRetrain</c>).</summary>
    public const string Name = "NightlyRetrainSchedule";

    [Function(Name)]
    public async Task RunAsync(
        [TimerTrigger(FunctionAppSettings.NightlyScheduleExpression)] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var (outcome, runId) = await FireAsync(client, cancellationToken);
        logger.Log(
            outcome == NightlyOutcome.PreviousStillRunning ? LogLevel.Warning : LogLevel.Information,
            "Nightly firing (past due: {PastDue}) {Outcome}", timer.IsPastDue, NightlyRuns.Describe(outcome, runId));
    }

    /// <summary>One firing at the current time: resolves the slot, reads the spec and starts (or skips) the nightly run.</summary>
    public async Task<(NightlyOutcome Outcome, string RunId)> FireAsync(DurableTaskClient client, CancellationToken cancellationToken = default)
    {
        var nightly = options.Value;
        var slot = NightlySlot.Of(nightly.ParseSchedule(), clock.GetUtcNow());
        var spec = await LoadSpecAsync(nightly.Spec, cancellationToken);
        return await NightlyRuns.StartAsync(client, spec, store.Location, slot, cancellationToken);
    }

    /// <summary>Reads a run spec from a blob URI, a <c>file://</c> URI or a path relative to the app folder.</summary>
    public static async Task<RunSpec> LoadSpecAsync(string location, CancellationToken cancellationToken = default)
    {
        var resolved = location.Contains("://", StringComparison.Ordinal) ? location : Path.GetFullPath(location, AppContext.BaseDirectory);
        var (specStore, path) = ArtifactStores.OpenFile(resolved);
        var bytes = await specStore.ReadAsync(path, cancellationToken);
        return RunSpec.Parse(Encoding.UTF8.GetString(bytes));
    }
}
