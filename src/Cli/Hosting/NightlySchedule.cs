using Cronos;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rlhf.Api;
using Rlhf.Core.Runs;

namespace Rlhf.Cli.Hosting;

/// <summary>The nightly schedule of the local host: a six-field cron (seconds first, like Functions' TimerTrigger) and the spec it starts.</summary>
public sealed record NightlyScheduleOptions(string Cron, string SpecFile, string Store);

/// <summary>Fires <see cref="NightlyRuns.StartAsync"/> at each occurrence of the cron expression (UTC).</summary>
public sealed class NightlySchedule(NightlyScheduleOptions options, DurableTaskClient client, TimeProvider clock, ILogger<NightlySchedule> logger) : BackgroundService
{
    private readonly CronExpression _cron = CronExpression.Parse(options.Cron, CronFormat.IncludeSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Nightly schedule {Cron} starts {SpecFile}", options.Cron, options.SpecFile);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = _cron.GetNextOccurrence(now, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            await Task.Delay(next.Value - now, clock, stoppingToken);
            try
            {
                var spec = RunSpec.Parse(await File.ReadAllTextAsync(options.SpecFile, stoppingToken));
                var (outcome, runId) = await NightlyRuns.StartAsync(client, spec, options.Store, next.Value, stoppingToken);
                logger.Log(
                    outcome == NightlyOutcome.PreviousStillRunning ? LogLevel.Warning : LogLevel.Information,
                    "Nightly slot {Slot:O} {Outcome}", next.Value, NightlyRuns.Describe(outcome, runId));
            }
            catch (Exception ex) when (ex is IOException or RunSpecException)
            {
                logger.LogError(ex, "Nightly slot {Slot} skipped: cannot read spec {SpecFile}", next.Value, options.SpecFile);
            }
        }
    }
}
