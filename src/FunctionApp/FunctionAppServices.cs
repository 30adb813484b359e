using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rlhf.Activities;
using Rlhf.Api;
using Rlhf.Api.Labeling;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;
using Rlhf.FunctionApp.Nightly;

namespace Rlhf.FunctionApp;

/// <summary>Everything the Function App registers besides the Functions worker itself (kept apart from Program so tests build the same container).</summary>
public static class FunctionAppServices
{
    public static IServiceCollection AddRlhfFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Orchestration inputs, outputs and custom status are written with the pipeline's JSON options
        // (camelCase, enums as strings), the same shape as the artifacts and the API.
        services.Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(JsonDefaults.Options));

        services.AddSingleton(_ => ArtifactStores.Open(configuration[FunctionAppSettings.StorageLocation]
            ?? throw new InvalidOperationException($"App setting '{FunctionAppSettings.StorageLocation}' (the artifact store location) is not set.")));
        services.AddRlhfActivities(
            runner => configuration.GetSection(FunctionAppSettings.LocalJobRunner).Bind(runner),
            labeling => configuration.GetSection(FunctionAppSettings.Labeling).Bind(labeling),
            azureMl => configuration.GetSection(FunctionAppSettings.AzureMl).Bind(azureMl));
        // Links the API writes use the app's public host name (App Service sets WEBSITE_HOSTNAME), never the request's Host header.
        services.AddRlhfApi(o => o.PublicUrl ??= configuration[FunctionAppSettings.WebsiteHostName] is { Length: > 0 } host ? new Uri($"https://{host}/") : null);
        // Every instance must sign and check label links with one key, so outside Development it comes from configuration
        // (a Key Vault reference in Azure) and is never generated; the start-up check names the setting instead of a 500 later.
        services.AddOptions<LabelingApiOptions>()
            .Validate<IServiceProvider>(
                (o, sp) => !string.IsNullOrWhiteSpace(o.TokenKey) || sp.GetService<IHostEnvironment>()?.IsDevelopment() == true,
                $"App setting '{FunctionAppSettings.LabelingTokenKey}' (Rlhf__Labeling__TokenKey) is not set: the label-link signing key, base64 of at least 32 random bytes, is required outside Development. infra/bicep sets it as a Key Vault reference; `func start` (Development) uses a generated key.")
            .Validate(
                o => o.TokenKey?.StartsWith(LabelTokenKey.KeyVaultReferencePrefix, StringComparison.Ordinal) != true,
                $"App setting '{FunctionAppSettings.LabelingTokenKey}' is an unresolved Key Vault reference: the app's identity cannot read the secret (it needs Key Vault Secrets User and keyVaultReferenceIdentity).")
            .Validate(
                o => string.IsNullOrWhiteSpace(o.TokenKey) || o.TokenKey.StartsWith(LabelTokenKey.KeyVaultReferencePrefix, StringComparison.Ordinal) || LabelTokenKey.IsValid(o.TokenKey),
                $"App setting '{FunctionAppSettings.LabelingTokenKey}' is not base64 of at least 32 bytes.")
            .ValidateOnStart();
        services.AddOptions<NightlyOptions>()
            .Bind(configuration.GetSection(FunctionAppSettings.Nightly))
            .Validate(o => IsSixFieldCron(o.Schedule), $"{FunctionAppSettings.NightlySchedule} must be a six-field cron (seconds first), e.g. '0 0 2 * * *'.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Spec), "Rlhf:Nightly:Spec must name the run spec of the nightly run.")
            .ValidateOnStart();
        return services;
    }

    private static bool IsSixFieldCron(string schedule)
    {
        try
        {
            _ = new NightlyOptions { Schedule = schedule }.ParseSchedule();
            return true;
        }
        catch (Cronos.CronFormatException)
        {
            return false;
        }
    }
}
