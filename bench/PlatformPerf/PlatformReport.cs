namespace Rlhf.Bench.PlatformPerf;

/// <summary>The one JSON object the bench prints.</summary>
public sealed record PlatformReport(MachineInfo Machine, IReadOnlyList<OverheadResult> Overhead, IReadOnlyList<DispatchResult> Dispatch, FanOutResult? FanOut);

/// <summary>Where it ran: cores, load average (1/5/15 min) before and after, and a note that the machine is shared.</summary>
public sealed record MachineInfo(int Cores, string Os, string Runtime, IReadOnlyList<double> LoadAverageStart, IReadOnlyList<double> LoadAverageEnd, double Seconds, string Note);

/// <summary>One trainer process (<c>{jobId}#{attempt}</c>): start → exit, and how much of that came after it reported success.</summary>
public sealed record TrainerJob(string Name, double Seconds, double SecondsAfterSuccess);

public sealed record ActivityTotals(string Name, int Count, double Seconds, double MaxSeconds);

/// <summary>One stage of the run: its length by the orchestration's clock, trainer time and other activity time in it, the rest.</summary>
public sealed record StageOverhead(string Stage, double Seconds, double TrainerSeconds, double ActivitySeconds, double OverheadSeconds);

public sealed record OverheadResult
{
    public required string Config { get; init; }
    public required string RunId { get; init; }

    /// <summary>POST /api/runs sent → completion seen (polled every 100 ms).</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Time at least one trainer process was alive (runner's start record → exit record).</summary>
    public required double TrainerSeconds { get; init; }

    /// <summary>Time some activity ran while no trainer did.</summary>
    public required double ActivitySecondsOutsideTrainers { get; init; }

    /// <summary>Sum of every activity execution, overlaps included (for reference).</summary>
    public required double ActivitySecondsTotal { get; init; }

    public required double OverheadSeconds { get; init; }
    public required double OverheadPercent { get; init; }
    public required double TargetPercent { get; init; }
    public required bool MeetsTarget { get; init; }
    /// <summary>Stricter reading: trainer time ends when the job wrote status Succeeded, so process teardown counts as overhead.</summary>
    public required double OverheadToSuccessSeconds { get; init; }

    public required double OverheadToSuccessPercent { get; init; }
    public required IReadOnlyList<TrainerJob> TrainerJobs { get; init; }
    public required IReadOnlyList<ActivityTotals> Activities { get; init; }
    public required IReadOnlyList<StageOverhead> Stages { get; init; }
    /// <summary>Start-to-start interval of consecutive GetJobStatus calls of one job monitor (compare with the spec's pollIntervalSeconds).</summary>
    public required Distribution? StatusPolls { get; init; }

    public required IReadOnlyList<Gap> LargestGaps { get; init; }
    public required int GapCount { get; init; }

    /// <summary>Warnings and errors the host logged during the run (numbers blanked), most frequent first.</summary>
    public IReadOnlyList<LoggedProblem> EngineProblems { get; init; } = [];
}

/// <summary>Gaps between consecutive no-op activities of one sequential chain, on a host with the given queue polling cap.</summary>
public sealed record DispatchResult(int Round, double MaxQueuePollingIntervalMs, int Calls, double WallSeconds, Distribution Gap, double TargetMedianMs, bool MeetsTarget, string Note)
{
    /// <summary>Durable timer each call of the second chain waits on before its activity (the job monitor's pattern).</summary>
    public double TimerMilliseconds { get; init; }

    /// <summary>Gaps of that chain: should be about the timer plus one dispatch.</summary>
    public Distribution? GapWithTimer { get; init; }

    public IReadOnlyList<LoggedProblem> EngineProblems { get; init; } = [];
}

public sealed record FanOutResult
{
    public required string RunId { get; init; }
    public required int Batches { get; init; }
    public required int BatchSize { get; init; }
    public required int K { get; init; }
    public required int Prompts { get; init; }
    public required int Comparisons { get; init; }

    /// <summary>Schedule → completion seen (polled every 100 ms): prepare, fan-out, fan-in, merge.</summary>
    public required double TotalSeconds { get; init; }

    /// <summary>Schedule → PrepareLabelBatches starts (orchestration start and first dispatch).</summary>
    public required double StartSeconds { get; init; }

    public required double PrepareSeconds { get; init; }

    /// <summary>PrepareLabelBatches ends → first LabelBatch starts (replay, 1,000 task messages sent).</summary>
    public required double ScheduleSeconds { get; init; }

    /// <summary>First LabelBatch start → last LabelBatch end.</summary>
    public required double FanOutSeconds { get; init; }

    /// <summary>Last LabelBatch ends → MergePreferences starts (last results replayed in, merge dispatched).</summary>
    public required double FanInSeconds { get; init; }

    public required double MergeSeconds { get; init; }

    /// <summary>MergePreferences ends → completion seen.</summary>
    public required double CompleteSeconds { get; init; }
    public required double BatchesPerSecond { get; init; }
    public required double ComparisonsPerSecond { get; init; }
    public required double FanOutBatchesPerSecond { get; init; }
    public required Distribution LabelBatchExecution { get; init; }

    /// <summary>Sum of LabelBatch executions ÷ fan-out seconds: mean number of batches being labeled at once.</summary>
    public required double MeanConcurrency { get; init; }

    public required double? GoldAgreement { get; init; }

    /// <summary>Warnings and errors the host logged during the measurement (numbers blanked), most frequent first.</summary>
    public IReadOnlyList<LoggedProblem> EngineProblems { get; init; } = [];
}
