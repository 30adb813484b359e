using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities;
using Rlhf.Activities.Jobs.AzureMl;
using Rlhf.Core.Artifacts;

namespace Rlhf.Cli.Hosting;

/// <summary>The one place the local host registers the workflow: orchestrations, activities and the services they use.</summary>
internal static class PipelineRegistration
{
    public static void AddTasks(DurableTaskRegistry registry) => registry.AddRlhfOrchestrationsAndActivities();

    /// <summary>The activities' services; Azure ML jobs (<c>compute.runner: "azureml"</c>) run when <paramref name="configuration"/> has an <c>Rlhf:AzureMl</c> section (environment <c>Rlhf__AzureMl__Image</c>, ...).</summary>
    public static void AddServices(IServiceCollection services, LocalHostContext context, IConfiguration configuration)
    {
        services.AddRlhfActivities(
            runner =>
            {
                runner.WorkDirectory = Path.Combine(context.DataDir, "jobs");
                // Trainer jobs open the same store; a non-Azurite account needs the connection string (ArtifactStores).
                runner.EnvironmentVariables[ArtifactStores.ConnectionStringVariable] = context.StorageConnectionString;
            },
            labeling =>
            {
                if (context.RepoRoot is not null)
                {
                    labeling.LexiconDirectory = Path.Combine(context.RepoRoot, "data", "tiny", "lexicons");
                }
            },
            azureMl => configuration.GetSection(AzureMlOptions.SectionName).Bind(azureMl));
    }
}
