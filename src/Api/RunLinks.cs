using Microsoft.AspNetCore.Http;

namespace Rlhf.Api;

/// <summary>
/// The management URLs of a run, shaped like Durable Functions' HTTP management payload so the
/// same tooling habits apply: poll <see cref="StatusQueryGetUri"/>, POST <see cref="TerminatePostUri"/>,
/// DELETE <see cref="PurgeHistoryDeleteUri"/>; plus the HTML report.
/// </summary>
public sealed record RunLinks(string Id, string StatusQueryGetUri, string TerminatePostUri, string PurgeHistoryDeleteUri, string ReportUri)
{
    public static RunLinks For(HttpRequest request, string runId)
    {
        var run = RunUri(request, runId);
        return new RunLinks(runId, run, $"{run}/cancel", run, $"{run}/report");
    }

    /// <summary>Absolute URL of <c>/api/runs/{runId}</c> under the API's public base (never the request's <c>Host</c> header).</summary>
    public static string RunUri(HttpRequest request, string runId) =>
        $"{PublicBase.Of(request)}/api/runs/{Uri.EscapeDataString(runId)}";

    /// <summary>Absolute URL that downloads one of the run's artifacts through the API.</summary>
    public static string ArtifactUri(HttpRequest request, string runId, string relativePath) =>
        $"{RunUri(request, runId)}/artifacts/{relativePath}";
}
