using Rlhf.Core.Artifacts;

namespace Rlhf.Api.Report;

/// <summary>
/// The run report served at <c>GET /api/runs/{id}/report</c> (and saved by <c>rlhf run report --out</c>): the run's status,
/// its evaluation, ScottPlot curves of every trainer step, SFT-vs-tuned samples, steps, artifacts and spec, as one
/// self-contained HTML page. What is missing (a running or failed run) is shown as such.
/// </summary>
public static class RunReportPage
{
    /// <param name="run">The run's status view (custom status included).</param>
    /// <param name="serializedInput">The orchestration input, for the run spec.</param>
    /// <param name="store">The artifact store holding <c>runs/{id}/</c>.</param>
    public static async Task<string> RenderAsync(RunDetail run, string? serializedInput, IArtifactStore store, CancellationToken cancellationToken = default)
    {
        var data = await RunReportLoader.LoadAsync(run, serializedInput, store, cancellationToken);
        return RunReportHtml.Render(data, ReportFonts.Current);
    }
}
