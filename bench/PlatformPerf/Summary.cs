using System.Globalization;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>The readable side of the report, on stderr (stdout carries only the JSON).</summary>
internal static class Summary
{
    public static void Progress(string message) => Console.Error.WriteLine($"[platform-perf {DateTime.Now:HH:mm:ss}] {message}");

    public static void Write(PlatformReport report)
    {
        var e = Console.Error;
        var m = report.Machine;
        e.WriteLine();
        e.WriteLine(F($"Platform performance ({m.Cores} cores, load {string.Join('/', m.LoadAverageStart)} → {string.Join('/', m.LoadAverageEnd)}; {m.Seconds:F0} s)"));
        foreach (var o in report.Overhead)
        {
            e.WriteLine(F($"  overhead {o.Config}: {o.OverheadSeconds:F1} s of {o.WallSeconds:F1} s wall = {o.OverheadPercent:F2} % (target ≤ {o.TargetPercent} %: {Verdict(o.MeetsTarget)})"));
            e.WriteLine(F($"    stricter (trainer time ends at its status Succeeded, teardown counted as overhead): {o.OverheadToSuccessSeconds:F1} s = {o.OverheadToSuccessPercent:F2} %"));
            if (o.StatusPolls is { } polls)
            {
                e.WriteLine(F($"    job status polls: {polls.Count + o.TrainerJobs.Count} calls, interval median {polls.MedianMs:F0} ms, p90 {polls.P90Ms:F0} ms"));
            }

            e.WriteLine(F($"    trainer {o.TrainerSeconds:F1} s over {o.TrainerJobs.Count} process(es), other activities {o.ActivitySecondsOutsideTrainers:F1} s, {o.GapCount} idle gaps"));
            foreach (var s in o.Stages)
            {
                e.WriteLine(F($"    stage {s.Stage,-12} {s.Seconds,7:F1} s  trainer {s.TrainerSeconds,7:F1}  activities {s.ActivitySeconds,6:F2}  overhead {s.OverheadSeconds,6:F2}"));
            }

            foreach (var g in o.LargestGaps.Take(5))
            {
                e.WriteLine(F($"    gap {g.Seconds,6:F2} s at {g.At,6:F1} s: after {g.Previous} → before {g.Next}"));
            }

            Problems(o.EngineProblems);
        }

        foreach (var d in report.Dispatch)
        {
            e.WriteLine(F($"  dispatch round {d.Round} (MaxQueuePollingInterval {d.MaxQueuePollingIntervalMs} ms, {d.Note}): median {d.Gap.MedianMs:F1} ms, p90 {d.Gap.P90Ms:F1}, p99 {d.Gap.P99Ms:F1}, max {d.Gap.MaxMs:F1} over {d.Gap.Count} gaps (target median ≤ {d.TargetMedianMs} ms: {Verdict(d.MeetsTarget)})"));
            if (d.GapWithTimer is { } timed)
            {
                e.WriteLine(F($"    with a {d.TimerMilliseconds} ms durable timer before each call: gap median {timed.MedianMs:F0} ms, min {timed.MinMs:F0}, max {timed.MaxMs:F0}"));
            }
        }

        if (report.FanOut is { } f)
        {
            e.WriteLine(F($"  fan-out: {f.Batches} batches / {f.Comparisons} comparisons in {f.TotalSeconds:F1} s = {f.BatchesPerSecond:F1} batches/s, {f.ComparisonsPerSecond:F0} comparisons/s"));
            e.WriteLine(F($"    start {f.StartSeconds:F1} s, prepare {f.PrepareSeconds:F1} s, schedule {f.ScheduleSeconds:F1} s, fan-out {f.FanOutSeconds:F1} s ({f.FanOutBatchesPerSecond:F1} batches/s, mean concurrency {f.MeanConcurrency:F1}), fan-in {f.FanInSeconds:F1} s, merge {f.MergeSeconds:F1} s, complete {f.CompleteSeconds:F1} s"));
            e.WriteLine(F($"    LabelBatch execution median {f.LabelBatchExecution.MedianMs:F0} ms, p90 {f.LabelBatchExecution.P90Ms:F0} ms"));
            Problems(f.EngineProblems);
        }
    }

    private static void Problems(IReadOnlyList<LoggedProblem> problems)
    {
        foreach (var p in problems.Take(4))
        {
            Console.Error.WriteLine(F($"    engine {p.Level} ×{p.Count} ({p.Category}): {p.Message}"));
        }
    }

    private static string Verdict(bool met) => met ? "met" : "NOT met";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
