using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rlhf.Activities;
using Rlhf.Activities.Jobs;
using Rlhf.Api.Labeling;
using Rlhf.Core.Artifacts;

namespace Rlhf.Api;

/// <summary>Routes of the local host (<c>rlhf serve</c>); the Function App maps the same <see cref="RunsApi"/> handlers to HTTP triggers.</summary>
public static class RlhfApiEndpoints
{
    /// <summary>Registers what the handlers need besides the <see cref="DurableTaskClient"/> and <see cref="IArtifactStore"/>.</summary>
    public static IServiceCollection AddRlhfApi(this IServiceCollection services, Action<RlhfApiOptions>? configure = null)
    {
        services.AddOptions<RlhfApiOptions>().BindConfiguration(RlhfApiOptions.SectionName)
            .Configure(o => configure?.Invoke(o))
            .Validate(o => o.MaxSpecBytes > 0 && o.DefaultPageSize > 0 && o.MaxPageSize >= o.DefaultPageSize, "RlhfApi limits must be positive.")
            .ValidateOnStart();
        // Both hosts bind the judge deployments (and the rest of Rlhf:Labeling) from configuration; the API checks specs against them.
        services.AddOptions<LabelingOptions>().BindConfiguration(LabelingOptions.SectionName);
        services.AddSingleton(TimeProvider.System);
        services.AddRlhfLabeling();
        return services;
    }

    public static IEndpointRouteBuilder MapRlhfApi(this IEndpointRouteBuilder endpoints)
    {
        // The local host's front door: Host and cross-origin checks on every route (the Function App has keys instead).
        var api = endpoints.MapGroup("").AddEndpointFilter<LocalHostGuard>();
        var runs = api.MapGroup("/api/runs");
        runs.MapPost("", (HttpRequest request, DurableTaskClient client, IArtifactStore store, IOptions<RlhfApiOptions> options, TimeProvider clock, CancellationToken ct) =>
            RunsApi.StartAsync(request, client, store, options.Value, clock, ct));
        runs.MapGet("", (HttpRequest request, DurableTaskClient client, IOptions<RlhfApiOptions> options, CancellationToken ct) =>
            RunsApi.ListAsync(request, client, options.Value, ct));
        // literal segments win over {id}: "compare" is a route here, never looked up as a run
        runs.MapGet("/compare", (HttpRequest request, DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken ct) =>
            RunCompareApi.CompareAsync(request, client, store, clock, ct));
        runs.MapGet("/compare/report", (HttpRequest request, DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken ct) =>
            RunCompareApi.ReportAsync(request, client, store, clock, ct));
        runs.MapGet("/{id}", (HttpRequest request, string id, DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken ct) =>
            RunsApi.GetAsync(request, id, client, store, clock, ct));
        runs.MapPost("/{id}/rerun", (HttpRequest request, string id, DurableTaskClient client, IArtifactStore store, IOptions<RlhfApiOptions> options, TimeProvider clock, CancellationToken ct) =>
            RunRerunApi.RerunAsync(request, id, client, store, options.Value, clock, ct));
        runs.MapPost("/{id}/cancel", (HttpRequest request, string id, DurableTaskClient client, IArtifactStore store, IJobRunner runner, CancellationToken ct) =>
            RunsApi.CancelAsync(request, id, client, store, runner, ct));
        runs.MapDelete("/{id}", (string id, DurableTaskClient client, IArtifactStore store, CancellationToken ct) =>
            RunsApi.PurgeAsync(id, client, store, ct));
        runs.MapGet("/{id}/report", (HttpRequest request, string id, DurableTaskClient client, CancellationToken ct) =>
            RunsApi.ReportAsync(request, id, client, ct));
        runs.MapGet("/{id}/agreement", (string id, DurableTaskClient client, IArtifactStore store, CancellationToken ct) => RunAgreementApi.GetAsync(id, client, store, ct));
        runs.MapGet("/{id}/artifacts/{**path}", (string id, string path, IArtifactStore store, CancellationToken ct) =>
            RunsApi.ArtifactAsync(id, path, store, ct));
        api.MapRlhfLabeling();
        return endpoints;
    }
}
