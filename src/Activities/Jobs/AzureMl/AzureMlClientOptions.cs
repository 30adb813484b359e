using Azure.Core;

namespace Rlhf.Activities.Jobs.AzureMl;

/// <summary>
/// Azure.Core client options of <see cref="AzureMlArmClient"/>: its retries (ARM throttling answers 429 with Retry-After,
/// which the retry policy honours; 408 and 5xx are retried too; 4xx otherwise are not) and transport. Hosts use the defaults;
/// tests give a transport that trusts their stand-in's certificate and shorter delays.
/// </summary>
public sealed class AzureMlClientOptions : ClientOptions
{
    public AzureMlClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromSeconds(1);
        Retry.MaxDelay = TimeSpan.FromSeconds(60);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
    }
}
