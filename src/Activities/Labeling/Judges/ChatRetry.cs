using System.ClientModel;
using System.Globalization;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// Retries a remote call on 429 and 5xx, up to <see cref="AzureOpenAiJudgeSpec.MaxAttempts"/> attempts: waits the
/// service's <c>retry-after-ms</c> or <c>Retry-After</c> (seconds or HTTP date) when given, else
/// InitialBackoffMs·2^(attempt−1). Other failures are not retried. Counts the requests sent.
/// </summary>
public sealed class ChatRetry(AzureOpenAiJudgeSpec spec, TimeProvider time)
{
    public int Requests { get; private set; }

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (var attempt = 1; ; attempt++)
        {
            Requests++;
            try
            {
                return await call(cancellationToken);
            }
            catch (ClientResultException e) when (IsTransient(e.Status) && attempt < spec.MaxAttempts)
            {
                await Task.Delay(DelayOf(e, attempt), time, cancellationToken);
            }
        }
    }

    public static bool IsTransient(int status) => status is 408 or 429 or >= 500;

    private TimeSpan DelayOf(ClientResultException e, int attempt) =>
        RetryAfter(e.GetRawResponse(), time.GetUtcNow())
        ?? TimeSpan.FromMilliseconds(spec.InitialBackoffMs * Math.Pow(2, attempt - 1));

    /// <summary>The wait the response asks for, or null when it asks none.</summary>
    public static TimeSpan? RetryAfter(System.ClientModel.Primitives.PipelineResponse? response, DateTimeOffset now)
    {
        if (response is null)
        {
            return null;
        }

        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        if (!response.Headers.TryGetValue("Retry-After", out var value) || value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? TimeSpan.FromTicks(Math.Max(0, (at - now).Ticks))
            : null;
    }
}
