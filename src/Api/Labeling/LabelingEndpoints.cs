using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rlhf.Core.Labeling;

namespace Rlhf.Api.Labeling;

/// <summary>Registration and routes of human labeling (<see cref="LabelingApi"/>).</summary>
public static class LabelingEndpoints
{
    /// <summary>Options (<c>Rlhf:Labeling</c>), the token signer (key from the options or a persisted dev key) and <see cref="HumanLabeling"/>.</summary>
    public static IServiceCollection AddRlhfLabeling(this IServiceCollection services)
    {
        services.AddOptions<LabelingApiOptions>().BindConfiguration(LabelingApiOptions.SectionName)
            .Validate(o => o.DefaultTtlMinutes > 0 && o.MaxTtlMinutes >= o.DefaultTtlMinutes && o.MaxSubmissionBytes > 0, "Rlhf:Labeling limits must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new LabelTokens(
            LabelTokenKey.Resolve(sp.GetRequiredService<IOptions<LabelingApiOptions>>().Value, sp.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<HumanLabeling>();
        return services;
    }

    public static IEndpointRouteBuilder MapRlhfLabeling(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/runs/{id}/label-links", (HttpRequest request, string id, DurableTaskClient client, HumanLabeling labeling, CancellationToken ct) =>
            LabelingApi.LinksAsync(request, id, client, labeling, ct));
        endpoints.MapGet("/api/label", () => LabelingApi.Page());
        endpoints.MapGet("/api/label/batch", (HttpRequest request, DurableTaskClient client, HumanLabeling labeling, CancellationToken ct) =>
            LabelingApi.BatchAsync(request, client, labeling, ct));
        endpoints.MapPost("/api/label/submissions", (HttpRequest request, DurableTaskClient client, HumanLabeling labeling, CancellationToken ct) =>
            LabelingApi.SubmitAsync(request, client, labeling, ct));
        return endpoints;
    }
}
