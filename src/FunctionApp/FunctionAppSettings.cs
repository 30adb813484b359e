namespace Rlhf.FunctionApp;

/// <summary>
/// The app settings the Function App reads (documented in <c>local.settings.sample.json</c>). In Azure, where ':' is not
/// allowed in setting names on Linux, write them with "__" (<c>Rlhf__Storage__Location</c>); configuration maps both forms.
/// </summary>
public static class FunctionAppSettings
{
    /// <summary>Artifact store location (<c>https://{account}.blob.core.windows.net/{container}</c>, an Azurite URI or a folder).</summary>
    public const string StorageLocation = "Rlhf:Storage:Location";

    /// <summary>Section bound to <see cref="NightlyOptions"/>.</summary>
    public const string Nightly = "Rlhf:Nightly";

    /// <summary>Six-field cron of the nightly run; the TimerTrigger reads it as <see cref="NightlyScheduleExpression"/>.</summary>
    public const string NightlySchedule = "Rlhf:Nightly:Schedule";

    /// <summary>The TimerTrigger's schedule: the <see cref="NightlySchedule"/> setting, resolved by the Functions host.</summary>
    public const string NightlyScheduleExpression = "%" + NightlySchedule + "%";

    /// <summary>Section bound to <see cref="Rlhf.Activities.Jobs.LocalJobRunnerOptions"/> (trainer path, launcher, concurrency).</summary>
    public const string LocalJobRunner = "Rlhf:LocalJobRunner";

    /// <summary>
    /// Section bound to <see cref="Rlhf.Activities.Jobs.AzureMl.AzureMlOptions"/>: the workspace, cluster and trainer image the
    /// azureml job runner uses by default, the ARM endpoint and the jobs' identity (infra/bicep sets them).
    /// </summary>
    public const string AzureMl = Rlhf.Activities.Jobs.AzureMl.AzureMlOptions.SectionName;

    /// <summary>
    /// Section bound to <see cref="Rlhf.Activities.LabelingOptions"/> and <see cref="Rlhf.Api.Labeling.LabelingApiOptions"/>, including
    /// the judge deployments a spec may name: <c>Rlhf:Labeling:JudgeDeployments:{name}:Endpoint</c> (https), <c>:Deployment</c> and,
    /// for a key instead of the managed identity, <c>:ApiKeySetting</c>.
    /// </summary>
    public const string Labeling = Rlhf.Activities.LabelingOptions.SectionName;

    /// <summary>The label-link signing key (base64, at least 32 bytes): required outside Development; in Azure a Key Vault reference.</summary>
    public const string LabelingTokenKey = "Rlhf:Labeling:TokenKey";

    /// <summary>The app's default host name, set by App Service; the base of the links the API writes unless <c>RlhfApi:PublicUrl</c> is set.</summary>
    public const string WebsiteHostName = "WEBSITE_HOSTNAME";
}
