using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Api;
using Rlhf.Core.Artifacts;

namespace Rlhf.FunctionApp.Http;

/// <summary>
/// The run endpoints as HTTP triggers over the same <see cref="RunsApi"/> handlers the local host maps in
/// <see cref="RlhfApiEndpoints.MapRlhfApi"/>, on the same routes (the Functions route prefix is <c>api</c>).
/// Function-level keys guard them in Azure (the API starts GPU jobs).
/// </summary>
public sealed class RunsFunctions(IArtifactStore store, IJobRunner runner, IOptions<RlhfApiOptions> options, TimeProvider clock)
{
    private const AuthorizationLevel Level = AuthorizationLevel.Function;

    [Function(nameof(StartRun))]
    public Task<IResult> StartRun(
        [HttpTrigger(Level, "post", Route = "runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunsApi.StartAsync(request, client, store, options.Value, clock, cancellationToken);

    [Function(nameof(ListRuns))]
    public Task<IResult> ListRuns(
        [HttpTrigger(Level, "get", Route = "runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunsApi.ListAsync(request, client, options.Value, cancellationToken);

    [Function(nameof(CompareRuns))]
    public Task<IResult> CompareRuns(
        [HttpTrigger(Level, "get", Route = "runs/compare")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunCompareApi.CompareAsync(request, client, store, clock, cancellationToken);

    [Function(nameof(CompareRunsReport))]
    public Task<IResult> CompareRunsReport(
        [HttpTrigger(Level, "get", Route = "runs/compare/report")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunCompareApi.ReportAsync(request, client, store, clock, cancellationToken);

    [Function(nameof(GetRun))]
    public Task<IResult> GetRun(
        [HttpTrigger(Level, "get", Route = "runs/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunsApi.GetAsync(request, id, client, store, clock, cancellationToken);

    [Function(nameof(RerunRun))]
    public Task<IResult> RerunRun(
        [HttpTrigger(Level, "post", Route = "runs/{id}/rerun")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunRerunApi.RerunAsync(request, id, client, store, options.Value, clock, cancellationToken);

    [Function(nameof(CancelRun))]
    public Task<IResult> CancelRun(
        [HttpTrigger(Level, "post", Route = "runs/{id}/cancel")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunsApi.CancelAsync(request, id, client, store, runner, cancellationToken);

    [Function(nameof(PurgeRun))]
    public Task<IResult> PurgeRun(
        [HttpTrigger(Level, "delete", Route = "runs/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunsApi.PurgeAsync(id, client, store, cancellationToken);

    [Function(nameof(GetRunReport))]
    public Task<IResult> GetRunReport(
        [HttpTrigger(Level, "get", Route = "runs/{id}/report")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunsApi.ReportAsync(request, id, client, cancellationToken);

    [Function(nameof(GetRunAgreement))]
    public Task<IResult> GetRunAgreement(
        [HttpTrigger(Level, "get", Route = "runs/{id}/agreement")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        RunAgreementApi.GetAsync(id, client, store, cancellationToken);

    [Function(nameof(GetRunArtifact))]
    public Task<IResult> GetRunArtifact(
        [HttpTrigger(Level, "get", Route = "runs/{id}/artifacts/{*path}")] HttpRequest request,
        string id,
        string path,
        CancellationToken cancellationToken) =>
        RunsApi.ArtifactAsync(id, path, store, cancellationToken);
}
