using System.Diagnostics;
using Rlhf.Bench.TrainerPerf;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Verbs;
using TorchSharp;
using static TorchSharp.torch;

// trainer-perf [options]: SFT step throughput next to a matmul peak, KV-cache generation speed-up, PPO iteration
// throughput and memory growth, all in this one process (see docs/performance.md and PerfOptions.Usage).
PerfOptions options;
try
{
    options = PerfOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var log = Console.Error;
var wall = Stopwatch.StartNew();
var loadStart = HostProbe.LoadAverage();
var repo = FindRepoRoot();
var workload = Workload.Resolve(options, repo);
torch.set_num_threads(options.Threads);
if (options.Device.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
{
    log.WriteLine($"--device {options.Device}: CUDA is not available in this process (the trainer references TorchSharp-cpu).");
    return 2;
}

var device = new Device(options.Device);
log.WriteLine($"trainer-perf: preset {workload.Preset}, device {device}, {torch.get_num_threads()} threads, load average {string.Join(" ", loadStart)}");

// 1. matmul peak, then SFT steps, then the peak again (the best round counts: the load may change meanwhile).
var peak = MatmulPeak.MeasureGflops(device, options.MatmulSize, repeats: 5);
log.WriteLine($"  matmul peak {peak:F1} GFLOP/s");
random.manual_seed(options.Seed);
using var model = new Gpt(workload.Model, device);
using var data = new SftData(workload.ReadCorpus(), workload.Tokenizer, workload.SftBlock, heldoutFraction: 0.01);
using var batches = new Generator((ulong)options.Seed);
var sft = SftBench.Run(model, data, workload.SftBatch, workload.SftLearningRate, options.SftSteps, batches);
log.WriteLine($"  sft {sft.TokensPerSecond:F0} tokens/s, {sft.MeanStepSeconds * 1000:F1} ms/step");
peak = Math.Max(peak, MatmulPeak.MeasureGflops(device, options.MatmulSize, repeats: 5));
var matmulParameters = FlopEstimate.MatmulParameters(model);
var flopsPerToken = FlopEstimate.TrainingPerToken(workload.Model, matmulParameters, workload.SftBlock);
var sftGflops = flopsPerToken * sft.TokensPerSecond / 1e9;

// 2. greedy generation with the SFT-stepped model, KV cache on and off.
var genPrompts = workload.ReadPrompts(options.GenBatch)
    .Select(p => workload.Tokenizer.Encode(p) is { Length: > 0 } ids ? ids : [workload.Tokenizer.EosId])
    .ToList();
var gen = GenerationBench.Run(model, genPrompts, workload.GenTokens, options.GenRuns, workload.Tokenizer.EosId, workload.Tokenizer.PadId);
log.WriteLine($"  generation {gen.KvTokensPerSecond:F0} tokens/s with KV cache, {gen.NoKvTokensPerSecond:F0} without ({gen.Speedup:F1}×)");

// 3–4. PPO iterations through the trainer's rollout and update code; memory sampled along the way.
var ppo = PpoBench.Run(workload, device, options.Seed, TimeSpan.FromSeconds(options.PpoSeconds), workload.ReadPrompts(4096), log);
var (first, last) = (ppo.Memory[0], ppo.Memory[^1]);
var middle = ppo.Memory[ppo.Memory.Count / 2];

// 5. optional: GRPO and RLOO at PPO's rollout size, as many iterations as PPO ran, in this same process.
var criticFree = options.CriticFreeGroup is { } group
    ? new[] { "grpo", "rloo" }.Select(a => CriticFreeBench.Run(a, workload, group, device, options.Seed, ppo.Iterations, workload.ReadPrompts(4096), log)).ToList()
    : [];

var report = new PerfReport
{
    LoadAvgStart = loadStart,
    LoadAvgEnd = HostProbe.LoadAverage(),
    Config = new PerfConfig(
        workload.Preset,
        device.ToString(),
        torch.get_num_threads(),
        Environment.ProcessorCount,
        Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset",
        options.Quick,
        new ModelShape(workload.Model.NLayer, workload.Model.NHead, workload.Model.NEmbd, workload.Model.NPositions, workload.Model.VocabSize, workload.Tokenizer.Name, model.ParameterCount, matmulParameters),
        options.MatmulSize,
        workload.SftBatch,
        workload.SftBlock,
        sft.Steps,
        gen.Batch,
        workload.GenTokens,
        options.GenRuns,
        workload.Ppo.RolloutBatchSize,
        workload.Ppo.MaxNewTokens,
        workload.Ppo.MaxPromptTokens,
        workload.Ppo.PpoEpochs,
        Path.GetRelativePath(repo, Path.GetDirectoryName(workload.CorpusPath)!)),
    MatmulPeakGflops = peak,
    SftTokensPerS = sft.TokensPerSecond,
    SftTokensPerSBest = sft.BestTokensPerSecond,
    SftStepMs = sft.MeanStepSeconds * 1000,
    SftFlopsPerToken = flopsPerToken,
    SftGflops = sftGflops,
    SftMfu = sftGflops / peak,
    SftMfuBest = flopsPerToken * sft.BestTokensPerSecond / 1e9 / peak,
    SftLossFirst = sft.FirstLoss,
    SftLossLast = sft.LastLoss,
    GenKvTokensPerS = gen.KvTokensPerSecond,
    GenNokvTokensPerS = gen.NoKvTokensPerSecond,
    KvSpeedup = gen.Speedup,
    GenSteps = gen.Steps,
    GenGreedyIdentical = gen.Identical,
    GenIdenticalRows = gen.IdenticalRows,
    PpoIterations = ppo.Iterations,
    PpoWarmupIterations = ppo.WarmupIterations,
    PpoIterPerS = ppo.IterationsPerSecond,
    PpoTokensPerS = ppo.TokensPerSecond,
    PpoResponseTokensPerS = ppo.ResponseTokensPerSecond,
    PpoRolloutSPerIter = ppo.RolloutSecondsPerIteration,
    PpoUpdateSPerIter = ppo.UpdateSecondsPerIteration,
    PpoLastKl = ppo.LastMetrics.GetValueOrDefault("objective/kl", double.NaN),
    RssStartMb = first.VmRssMb,
    RssEndMb = last.VmRssMb,
    RssPeakMb = ppo.Memory.Max(s => s.VmRssMb),
    RssGrowthPct = Growth(first.VmRssMb, last.VmRssMb),
    RssGrowthSecondHalfPct = Growth(middle.VmRssMb, last.VmRssMb),
    WorkingSetStartMb = first.WorkingSetMb,
    WorkingSetEndMb = last.WorkingSetMb,
    WorkingSetGrowthPct = Growth(first.WorkingSetMb, last.WorkingSetMb),
    ManagedHeapEndMb = last.ManagedMb,
    RssSamples = [.. ppo.Memory.Select(s => new RssPoint(s.Iteration, s.VmRssMb))],
    CriticFree = [.. criticFree.Select(t => new CriticFreeResult(
        t.Algorithm, options.CriticFreeGroup!.Value, t.IterationsPerSecond, t.IterationsPerSecond / ppo.IterationsPerSecond, t.RolloutSecondsPerIteration, t.UpdateSecondsPerIteration))],
    KvSpeedupTarget = 10,
    RssGrowthTargetPct = 5,
    WallS = wall.Elapsed.TotalSeconds,
};
Console.Out.WriteLine(report.ToJson());
log.WriteLine(report.Summary());
return 0;

static double Growth(double from, double to) => (to - from) / from * 100;

static string FindRepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }
    }

    throw new DirectoryNotFoundException("Run trainer-perf inside the repository (no Pipeline.sln above the current or the program's folder).");
}
