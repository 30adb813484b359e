using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities;
using Rlhf.Core.Artifacts;

namespace Rlhf.Cli.Hosting;

/// <summary>The one place the local host registers the workflow: orchestrations, activities and the services they use.</summary>
internal static class PipelineRegistration
{
    public static void AddTasks(DurableTaskRegistry registry) => registry.AddRlhfOrchestrationsAndActivities();

    public static void AddServices(IServiceCollection services, LocalHostContext context)
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
            });
    }
}
