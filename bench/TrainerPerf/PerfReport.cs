using System.Globalization;
using System.Text.Json;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>The model measured.</summary>
public sealed record ModelShape(int NLayer, int NHead, int NEmbd, int NPositions, int VocabSize, string Tokenizer, long Parameters, long MatmulParameters);

/// <summary>Everything that sets the figures: preset, model, workload sizes, threads, device, and libgomp's wait policy (<c>OMP_WAIT_POLICY</c>, "unset" = spin first).</summary>
public sealed record PerfConfig(
    string Preset,
    string Device,
    int Threads,
    int ProcessorCount,
    string OmpWaitPolicy,
    bool Quick,
    ModelShape Model,
    int MatmulSize,
    int SftBatch,
    int SftBlock,
    int SftSteps,
    int GenBatch,
    int GenNewTokens,
    int GenRuns,
    int PpoRolloutBatch,
    int PpoMaxNewTokens,
    int PpoMaxPromptTokens,
    int PpoEpochs,
    string Data);

/// <summary>One VmRSS sample of the PPO loop.</summary>
public sealed record RssPoint(int Iteration, double VmRssMb);

/// <summary>The benchmark's JSON (snake_case keys, units in the names). Ratios come from one process run.</summary>
public sealed record PerfReport
{
    public static JsonSerializerOptions JsonOptions { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public required double[] LoadAvgStart { get; init; }

    public required double[] LoadAvgEnd { get; init; }

    public required PerfConfig Config { get; init; }

    /// <summary>Best of the matmul rounds taken before and after the SFT phase.</summary>
    public required double MatmulPeakGflops { get; init; }

    public required double SftTokensPerS { get; init; }

    public required double SftTokensPerSBest { get; init; }

    public required double SftStepMs { get; init; }

    public required double SftFlopsPerToken { get; init; }

    public required double SftGflops { get; init; }

    /// <summary>sft_gflops / matmul_peak_gflops (mean step time).</summary>
    public required double SftMfu { get; init; }

    /// <summary>The same ratio for the fastest step.</summary>
    public required double SftMfuBest { get; init; }

    public required double SftLossFirst { get; init; }

    public required double SftLossLast { get; init; }

    public required double GenKvTokensPerS { get; init; }

    public required double GenNokvTokensPerS { get; init; }

    public required double KvSpeedup { get; init; }

    public required int GenSteps { get; init; }

    public required bool GenGreedyIdentical { get; init; }

    public required int GenIdenticalRows { get; init; }

    public required int PpoIterations { get; init; }

    public required int PpoWarmupIterations { get; init; }

    public required double PpoIterPerS { get; init; }

    public required double PpoTokensPerS { get; init; }

    public required double PpoResponseTokensPerS { get; init; }

    public required double PpoRolloutSPerIter { get; init; }

    public required double PpoUpdateSPerIter { get; init; }

    public required double PpoLastKl { get; init; }

    public required double RssStartMb { get; init; }

    public required double RssEndMb { get; init; }

    public required double RssPeakMb { get; init; }

    /// <summary>(end − start) / start of VmRSS, start = after the warm-up iterations.</summary>
    public required double RssGrowthPct { get; init; }

    /// <summary>The same from the middle sample to the end: near 0 when the growth was a plateau, not a leak.</summary>
    public required double RssGrowthSecondHalfPct { get; init; }

    public required double WorkingSetStartMb { get; init; }

    public required double WorkingSetEndMb { get; init; }

    public required double WorkingSetGrowthPct { get; init; }

    public required double ManagedHeapEndMb { get; init; }

    public required IReadOnlyList<RssPoint> RssSamples { get; init; }

    /// <summary>GRPO and RLOO at PPO's rollout size (<c>--critic-free-group</c>); empty when not run.</summary>
    public required IReadOnlyList<CriticFreeResult> CriticFree { get; init; }

    public required double KvSpeedupTarget { get; init; }

    public required double RssGrowthTargetPct { get; init; }

    public required double WallS { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>The readable summary printed on stderr.</summary>
    public string Summary()
    {
        var c = Config;
        var m = c.Model;
        return string.Create(CultureInfo.InvariantCulture, $"""
            trainer-perf: preset {c.Preset}, {m.NLayer} layers × {m.NEmbd} wide, {m.NHead} heads, ctx {m.NPositions}, vocab {m.VocabSize} ({m.Tokenizer}), {m.Parameters:N0} parameters
              device {c.Device}, {c.Threads} threads of {c.ProcessorCount} cores, OMP_WAIT_POLICY {c.OmpWaitPolicy}, load average at start {string.Join(" ", LoadAvgStart)}, at end {string.Join(" ", LoadAvgEnd)}
              matmul peak        {MatmulPeakGflops,10:F1} GFLOP/s  ({c.MatmulSize}² float32 mm, best)
              SFT step           {SftTokensPerS,10:F0} tokens/s  ({c.SftBatch}×{c.SftBlock}, {SftStepMs:F1} ms/step; best {SftTokensPerSBest:F0})
                                 {SftGflops,10:F2} GFLOP/s  = {SftMfu:P1} of the matmul peak (best step {SftMfuBest:P1}); loss {SftLossFirst:F3} → {SftLossLast:F3}
              generation KV      {GenKvTokensPerS,10:F0} tokens/s  (batch {c.GenBatch}, {GenSteps} tokens, greedy)
              generation no-KV   {GenNokvTokensPerS,10:F0} tokens/s  → KV speed-up {KvSpeedup:F1}× (target ≥ {KvSpeedupTarget}×); same greedy tokens: {GenGreedyIdentical} ({GenIdenticalRows}/{c.GenBatch} rows)
              PPO iteration      {PpoIterPerS,10:F3} it/s      ({PpoTokensPerS:F0} tokens/s, {PpoResponseTokensPerS:F0} response tokens/s; rollout {PpoRolloutSPerIter:F2} s + update {PpoUpdateSPerIter:F2} s per iteration)
              PPO memory         VmRSS {RssStartMb:F1} → {RssEndMb:F1} MiB over iterations {PpoWarmupIterations}→{PpoIterations}: {RssGrowthPct:+0.0;-0.0} % (target ≤ {RssGrowthTargetPct} %; second half {RssGrowthSecondHalfPct:+0.0;-0.0} %), peak {RssPeakMb:F1} MiB
            {string.Concat(CriticFree.Select(r => $"  {r.Algorithm.ToUpperInvariant(),-5} iteration     {r.IterPerS,10:F3} it/s      = {r.SpeedupVsPpo:F2}× PPO (G {r.Group}; rollout {r.RolloutSPerIter:F2} s + update {r.UpdateSPerIter:F2} s per iteration)\n"))}  wall time {WallS:F0} s
            """);
    }
}

/// <summary>One critic-free algorithm's throughput next to PPO's, measured in the same process.</summary>
public sealed record CriticFreeResult(string Algorithm, int Group, double IterPerS, double SpeedupVsPpo, double RolloutSPerIter, double UpdateSPerIter);
