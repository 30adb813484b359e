using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// Says, once, when the storage account stops answering and when it answers again, so an outage reads as one clear
/// line instead of the engine's retry noise: the engine, the worker and the job runner all back off and carry on by
/// themselves. Probes the blob endpoint every <see cref="Interval"/> (any HTTP answer counts as reachable).
/// </summary>
public sealed class StorageMonitor(LocalHostContext context, ILogger<StorageMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>True while the last probe got no answer.</summary>
    public bool IsUnreachable { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoint = DurableEngine.BlobServiceUri(context.StorageConnectionString);
        var down = new Stopwatch();
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var reason = await ProbeAsync(endpoint, stoppingToken);
            if (reason is not null && !IsUnreachable)
            {
                IsUnreachable = true;
                down.Restart();
                logger.LogWarning("Storage unreachable at {Endpoint}, retrying ({Reason}); runs carry on when it answers again", endpoint, reason);
            }
            else if (reason is null && IsUnreachable)
            {
                IsUnreachable = false;
                logger.LogWarning("Storage reachable again at {Endpoint} after {Seconds:0} s", endpoint, down.Elapsed.TotalSeconds);
            }
        }
    }

    /// <summary>Null when the endpoint answers, else why not.</summary>
    private async Task<string?> ProbeAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(endpoint, cancellationToken);
            return null;
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {_http.Timeout.TotalSeconds:0} s";
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
