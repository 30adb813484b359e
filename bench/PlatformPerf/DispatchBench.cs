using System.Globalization;
using Microsoft.DurableTask.Client;
using Rlhf.Cli.Hosting;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// Activity dispatch latency: <see cref="DispatchChain"/> calls a no-op activity N times in sequence, and the
/// latency of call i is the real-clock gap between the end of activity i−1 and the start of activity i
/// (completion message → control queue → orchestration replay → task message → work-item queue → worker).
/// Each polling setting gets a host (and task hub) of its own on the same Azurite; a short chain runs first and is
/// discarded, so JIT and connection set-up are not measured.
/// </summary>
internal static class DispatchBench
{
    private const double TargetMedianMs = 50;

    private const int WarmUpCalls = 20;
    private const int TimerCalls = 10;
    private static readonly TimeSpan Timer = TimeSpan.FromSeconds(1);

    public static async Task<DispatchResult> RunAsync(
        string connectionString, LocalHostOptions baseOptions, EngineErrors errors, int round, TimeSpan maxQueuePollingInterval, int calls, CancellationToken cancellationToken = default)
    {
        var timeline = new Timeline();
        var ms = maxQueuePollingInterval.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        var options = baseOptions with
        {
            TaskHub = $"dispatch{ms}r{round}",
            Container = $"dispatch{ms}r{round}",
            MaxQueuePollingInterval = maxQueuePollingInterval,
            SeedDatasets = false,
        };
        await using var host = await BenchHost.StartAsync(connectionString, options, timeline, errors, cancellationToken);
        var warmUp = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(DispatchChain), new DispatchChainInput(WarmUpCalls), cancellationToken);
        await Completion.WaitAsync(host.Client, warmUp, TimeSpan.FromMinutes(5), cancellationToken);

        var before = errors.Snapshot();
        var start = BenchClock.Now;
        var gaps = await GapsAsync(host, timeline, new DispatchChainInput(calls), TimeSpan.FromSeconds(Math.Max(120, calls * 4 * maxQueuePollingInterval.TotalSeconds)), cancellationToken);
        var wall = BenchClock.Now - start;
        var distribution = Distribution.OfSeconds(gaps);
        // the job monitor's loop: a durable timer, then an activity; the gap should be the timer plus one dispatch
        var timerGaps = await GapsAsync(host, timeline, new DispatchChainInput(TimerCalls, (int)Timer.TotalMilliseconds), TimeSpan.FromMinutes(5), cancellationToken);
        var note = maxQueuePollingInterval == new LocalHostOptions().MaxQueuePollingInterval ? "the local host's setting (rlhf serve)" : "bench-only setting";
        return new DispatchResult(round, maxQueuePollingInterval.TotalMilliseconds, calls, wall, distribution, TargetMedianMs, distribution.MedianMs <= TargetMedianMs, note)
        {
            TimerMilliseconds = Timer.TotalMilliseconds,
            GapWithTimer = Distribution.OfSeconds(timerGaps),
            EngineProblems = errors.Since(before),
        };
    }

    /// <summary>Runs one chain and returns the real-clock gaps between its consecutive no-op executions.</summary>
    private static async Task<List<double>> GapsAsync(BenchHost host, Timeline timeline, DispatchChainInput input, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var instance = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(DispatchChain), input, cancellationToken);
        await Completion.WaitAsync(host.Client, instance, timeout, cancellationToken);
        var executions = timeline.Activities(nameof(NoOpActivity), instance);
        return executions.Count == input.Calls
            ? [.. executions.Zip(executions.Skip(1), (previous, next) => next.Start - previous.End)]
            : throw new InvalidOperationException($"Expected {input.Calls} executions of {nameof(NoOpActivity)}, saw {executions.Count}.");
    }
}
