using System.Net.Http.Headers;
using System.Text;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// Orchestration overhead of a full run: the run spec is POSTed to the host's API, the run is awaited, and
/// overhead = wall − the time covered by at least one trainer process or activity execution (a union, so
/// the status polls that run while a trainer runs, or two sample shards side by side, are not counted twice).
/// What is left is the platform's own time: queue polling, dispatch, replay, durable-timer waits between a
/// job's exit and the poll that sees it, the runner's process start, HTTP and storage round trips.
/// </summary>
internal static class OverheadBench
{
    private const double TargetPercent = 3.0;

    public static async Task<OverheadResult> RunAsync(BenchHost host, Timeline timeline, string repoRoot, string config, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var spec = await File.ReadAllTextAsync(Path.Combine(repoRoot, config), cancellationToken);
        var runId = $"perf-{Path.GetFileNameWithoutExtension(config)}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        using var http = new HttpClient { BaseAddress = host.ApiUri };
        using var body = new StringContent(spec, Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var start = BenchClock.Now;
        using (var response = await http.PostAsync(new Uri($"api/runs?runId={runId}", UriKind.Relative), body, cancellationToken))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST api/runs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        var run = await Completion.WaitAsync(host.Client, runId, timeout, cancellationToken);
        var end = BenchClock.Now;

        var spans = timeline.Overlapping(start, end);
        var trainers = spans.Where(s => s.Kind == SpanKind.Trainer).ToList();
        var activities = spans.Where(s => s.Kind == SpanKind.Activity).ToList();
        var wall = end - start;
        var trainerSeconds = Intervals.Covered(trainers, start, end);
        var busySeconds = Intervals.Covered(spans, start, end);
        var overhead = wall - busySeconds;
        var status = run.ReadCustomStatusAs<RunStatus>();
        var untilSucceeded = await UntilSucceededAsync(host.Store, trainers, cancellationToken);
        var strictOverhead = wall - Intervals.Covered([.. activities, .. untilSucceeded], start, end);

        return new OverheadResult
        {
            Config = config,
            RunId = runId,
            WallSeconds = wall,
            TrainerSeconds = trainerSeconds,
            ActivitySecondsOutsideTrainers = busySeconds - trainerSeconds,
            ActivitySecondsTotal = activities.Sum(a => a.Seconds),
            OverheadSeconds = overhead,
            OverheadPercent = 100 * overhead / wall,
            TargetPercent = TargetPercent,
            MeetsTarget = 100 * overhead / wall <= TargetPercent,
            OverheadToSuccessSeconds = strictOverhead,
            OverheadToSuccessPercent = 100 * strictOverhead / wall,
            TrainerJobs = [.. trainers.Zip(untilSucceeded, (t, s) => new TrainerJob(t.Name, t.Seconds, t.End - s.End))],
            Activities = [.. activities.GroupBy(a => a.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ActivityTotals(g.Key, g.Count(), g.Sum(a => a.Seconds), g.Max(a => a.Seconds)))],
            Stages = [.. (status?.Stages ?? []).Where(s => s.FinishedUtc is not null && s.FinishedUtc > s.StartedUtc)
                .Select(s => StageOf(s, spans))],
            StatusPolls = Polls(activities),
            LargestGaps = [.. Intervals.Gaps(spans, start, end).Take(10)],
            GapCount = Intervals.Gaps(spans, start, end).Count,
        };
    }

    /// <summary>
    /// The trainer spans cut at the moment the job wrote status Succeeded (<c>{output}/status.json</c>, after its manifest),
    /// so that process teardown, which the orchestration does not wait for, counts as overhead instead.
    /// </summary>
    private static async Task<IReadOnlyList<Span>> UntilSucceededAsync(IArtifactStore store, IEnumerable<Span> trainers, CancellationToken cancellationToken)
    {
        var cut = new List<Span>();
        foreach (var trainer in trainers)
        {
            var spec = await store.ReadJsonAsync<JobSpec>(ArtifactLayout.JobSpec(trainer.Instance), cancellationToken);
            var status = (await store.ReadVersionedJsonAsync<JobStatus>(JobStatus.PathFor(spec.Output), cancellationToken))?.Value;
            var succeeded = status is { State: JobState.Succeeded } && trainer.Name.EndsWith($"#{status.Attempt}", StringComparison.Ordinal)
                ? Math.Clamp(BenchClock.FromUtc(status.UpdatedUtc.UtcDateTime), trainer.Start, trainer.End)
                : trainer.End;
            cut.Add(trainer with { End = succeeded });
        }

        return cut;
    }

    /// <summary>How often each job monitor really polled: start-to-start intervals of its GetJobStatus calls (the spec asks for pollIntervalSeconds).</summary>
    private static Distribution? Polls(IEnumerable<Span> activities)
    {
        var intervals = activities.Where(a => a.Name == TaskNames.GetJobStatus)
            .GroupBy(a => a.Instance)
            .SelectMany(g => g.OrderBy(a => a.Start).Select(a => a.Start).ToList() is var starts ? starts.Zip(starts.Skip(1), (a, b) => b - a) : [])
            .ToList();
        return intervals.Count == 0 ? null : Distribution.OfSeconds(intervals);
    }

    /// <summary>A stage's window (orchestration replay clock, mapped onto the bench clock) and what in it was busy.</summary>
    private static StageOverhead StageOf(StageTiming stage, IReadOnlyList<Span> spans)
    {
        var (from, to) = (BenchClock.FromUtc(stage.StartedUtc), BenchClock.FromUtc(stage.FinishedUtc!.Value));
        var trainer = Intervals.Covered(spans.Where(s => s.Kind == SpanKind.Trainer), from, to);
        var busy = Intervals.Covered(spans, from, to);
        return new StageOverhead(stage.Stage, to - from, trainer, busy - trainer, to - from - busy);
    }
}
