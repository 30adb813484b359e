using Azure.Core;
using Azure.Identity;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Constitution;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Jobs.AzureMl;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Activities.Registry;
using Rlhf.Activities.Reuse;
using Rlhf.Core.Demo;
using Rlhf.Orchestrations;

namespace Rlhf.Activities;

/// <summary>One call per host: <c>services.AddRlhfActivities(...)</c> and <c>registry.AddRlhfOrchestrationsAndActivities()</c>.</summary>
public static class RlhfActivities
{
    /// <summary>
    /// The services the activities call: <see cref="IJobRunner"/> (the <see cref="JobRunnerRouter"/> over one runner per kind:
    /// <see cref="LocalJobRunner"/> and <see cref="AzureMlJobRunner"/>, which refuses jobs while <see cref="AzureMlOptions"/> is
    /// not configured), <see cref="ModelRegistry"/>, the simulated labeler and its <see cref="GoldScorer"/>, and the AI judges:
    /// constitution, Azure OpenAI, ROUGE-L baseline (unless already registered). The host registers the
    /// <see cref="Core.Artifacts.IArtifactStore"/> (e.g. <c>ArtifactStores.Open(location)</c>). Azure ML requests sign in with the
    /// keyed <see cref="TokenCredential"/> <see cref="AzureMlArmClient.CredentialKey"/> if the host registers one (tests do),
    /// else <see cref="DefaultAzureCredential"/>, and use <see cref="AzureMlClientOptions"/> if registered.
    /// </summary>
    public static IServiceCollection AddRlhfActivities(
        this IServiceCollection services,
        Action<LocalJobRunnerOptions>? configureRunner = null,
        Action<LabelingOptions>? configureLabeling = null,
        Action<AzureMlOptions>? configureAzureMl = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LocalJobRunnerOptions>().Configure(o => configureRunner?.Invoke(o));
        services.AddOptions<AzureMlOptions>().Configure(o => configureAzureMl?.Invoke(o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureMlOptions>, AzureMlOptionsValidator>());
        services.AddOptions<LabelingOptions>().Configure(o => configureLabeling?.Invoke(o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LabelingOptions>, JudgeDeploymentValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobExitSignals>();
        services.TryAddSingleton<LocalJobRunner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobRunnerOfKind, LocalJobRunner>(sp => sp.GetRequiredService<LocalJobRunner>()));
        services.TryAddSingleton(sp => new AzureMlArmClient(
            sp.GetRequiredService<IOptions<AzureMlOptions>>().Value.Endpoint,
            sp.GetKeyedService<TokenCredential>(AzureMlArmClient.CredentialKey) ?? new DefaultAzureCredential(),
            sp.GetService<AzureMlClientOptions>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobRunnerOfKind, AzureMlJobRunner>());
        services.TryAddSingleton<IJobRunner, JobRunnerRouter>();
        services.TryAddSingleton<ModelRegistry>();
        services.TryAddSingleton<LabelPoolStore>();
        services.TryAddSingleton(sp => GoldScorer.Load(sp.GetRequiredService<IOptions<LabelingOptions>>().Value.LexiconDirectory));
        services.TryAddSingleton(sp => LocalConstitution.Load(sp.GetRequiredService<IOptions<LabelingOptions>>().Value.LexiconDirectory));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPreferenceLabeler, SimulatedLabeler>());
        services.TryAddSingleton<AzureChatClients>();
        services.TryAddSingleton<AzureCaiCritic>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPreferenceLabeler, ConstitutionJudge>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPreferenceLabeler, AzureOpenAiJudge>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPreferenceLabeler, RougeLabeler>());
        return services;
    }

    /// <summary>Registers every activity under its <see cref="Core.TaskNames"/> name.</summary>
    public static DurableTaskRegistry AddRlhfActivities(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddActivity<SubmitJob>()
            .AddActivity<GetJobStatus>()
            .AddActivity<CancelJob>()
            .AddActivity<ResolveChampion>()
            .AddActivity<ResolveLabelPool>()
            .AddActivity<AdvanceLabelPool>()
            .AddActivity<PrepareLabelBatches>()
            .AddActivity<LabelBatch>()
            .AddActivity<MergePreferences>()
            .AddActivity<RemindLabelers>()
            .AddActivity<PublishIfBetter>()
            .AddActivity<WriteRunManifest>()
            .AddActivity<PrepareCaiPrompts>()
            .AddActivity<CritiqueResponses>()
            .AddActivity<ReviseResponses>()
            .AddActivity<WriteCaiCorpus>()
            .AddActivity<FindReusableStep>()
            .AddActivity<RecordReusableStep>()
            .AddActivity<FindReusableLabels>()
            .AddActivity<RecordReusableLabels>()
            .AddActivity<FindHumanLabels>()
            .AddActivity<RecordHumanLabels>();
    }

    /// <summary>Every orchestrator and activity of the workflow.</summary>
    public static DurableTaskRegistry AddRlhfOrchestrationsAndActivities(this DurableTaskRegistry registry) =>
        registry.AddRlhfOrchestrations().AddRlhfActivities();
}
