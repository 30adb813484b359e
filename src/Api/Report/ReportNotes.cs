using Rlhf.Core.Runs;

namespace Rlhf.Api.Report;

/// <summary>
/// The sentences the report shows in place of a plot or table whose data does not exist: not part of this run
/// (per its spec), not yet (the run is still going), or not available (the run ended first).
/// </summary>
public static class ReportNotes
{
    public const string NotYet = "Not yet";
    public const string NotPartOfRun = "Not part of this run";
    public const string NotAvailable = "Not available";

    /// <summary>Why <paramref name="step"/> has nothing to show; <paramref name="what"/> names the missing thing (e.g. "metrics").</summary>
    public static string Absence(RunReportData data, string step, string what)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (ExcludedBySpec(data, step) is { } reason)
        {
            return $"{NotPartOfRun} ({reason}).";
        }

        var report = data.Step(step);
        var run = data.Run;
        return (report, run.IsFinished) switch
        {
            (null, false) => $"{NotYet}: step '{step}' has not started; the run is at stage '{run.Stage ?? "starting"}'.",
            (null, true) => $"{NotAvailable}: the run ended ({run.RuntimeStatus}) before step '{step}' wrote anything.",
            (_, false) when !report.IsComplete => $"{NotYet}: step '{step}' is running and has stored no {what} yet (the trainer uploads them at checkpoints and at the end).",
            _ => $"{NotAvailable}: step '{step}' stored no {what} (job state {report.Status?.State.ToString() ?? "unknown"}).",
        };
    }

    /// <summary>The spec setting that leaves <paramref name="step"/> out of the run, or null when it belongs (or the spec is unknown).</summary>
    public static string? ExcludedBySpec(RunReportData data, string step)
    {
        ArgumentNullException.ThrowIfNull(data);
        var algorithm = Enum.TryParse<PolicyAlgorithm>(data.SpecValue("policy.algorithm"), ignoreCase: true, out var a) ? a : (PolicyAlgorithm?)null;
        var source = Enum.TryParse<BasePolicySource>(data.SpecValue("basePolicy.source"), ignoreCase: true, out var s) ? s : (BasePolicySource?)null;
        if (algorithm is { } chosen && PolicyAlgorithms.ForStep(step) is { } row && row.Algorithm != chosen)
        {
            return $"policy.algorithm is {PolicyAlgorithms.For(chosen).Step}";
        }

        return step switch
        {
            StepNames.Sft when source is { } other && other != BasePolicySource.Train => $"basePolicy.source is {other.ToString().ToLowerInvariant()}",
            _ => null,
        };
    }
}
