using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Bench.LearningOutcome;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Verbs;

// learning-outcome [--write-doc] [--quick] [--data DIR] [--work DIR] [--set NAME=VALUE]... [--policies ppo,dpo,grpo,rloo|none] | --render RESULT.json
// Drives the real rlhf-trainer through sft → sample → simulated annotators → reward → ppo / dpo → evaluate on the
// demo task and reports whether the pipeline learns (see docs/learning-outcome.md). --render OUT --work DIR rewrites
// the doc from the stdout of an earlier run in DIR, re-reading its evaluations from DIR's store, without running anything.
// Job outputs are content-addressed, so re-running with the same --work reuses every job whose inputs and params are
// unchanged (reported as reused, with the times recorded when it ran): experiments with --set (a BenchConfig property,
// e.g. LabelPrompts=3000, or one job parameter, e.g. reward.learningRate=0.001) redo only what they change.
// --policies picks the chains after the reward model (none = stop after it).
var writeDoc = args.Contains("--write-doc");
var repo = FindRepoRoot();

var dataDir = Option("--data") ?? (File.Exists(Path.Combine(repo, "data/full/corpus.txt")) ? Path.Combine(repo, "data/full") : Path.Combine(repo, "data/tiny"));
var work = Option("--work") ?? Directory.CreateTempSubdirectory("learning-outcome-").FullName;
var config = args.Contains("--quick")
    ? new BenchConfig { SftSteps = 100, LabelPrompts = 48, PpoIterations = 4, PpoPrompts = 128, EvalPrompts = 8, RewardEpochs = 1, DpoEpochs = 1, CorpusChars = 200_000 }
    : new BenchConfig();
config = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Aggregate(config, (c, x) => c.With(args[x.i + 1]));
var chains = (Option("--policies") ?? "ppo,dpo,grpo,rloo").Split(',', StringSplitOptions.RemoveEmptyEntries).Where(c => c != "none").ToHashSet();
var log = Console.Error;
log.WriteLine($"learning-outcome: data {dataDir}, work {work}");

var store = new LocalArtifactStore(Path.Combine(work, "store"));
var gold = GoldScorer.Load(Path.Combine(dataDir, "lexicons"));
var goldV1 = GoldScorer.Load(Path.Combine(dataDir, "lexicons"), new GoldScorerOptions { Version = GoldVersion.V1 });
var probes = File.ReadLines(Path.Combine(dataDir, "references.jsonl")).Take(50)
    .Select(line => JsonSerializer.Deserialize<DemoReference>(line, JsonDefaults.Options)!).Select(r => (r.Prompt, r.Reference));
var runner = new TrainerRunner(store.RootFolder, Path.Combine(work, "trainer"), config, log, TrainerRunner.GoldFingerprint(gold, goldV1, probes));
if (Option("--render") is { } rendered)
{
    var printed = await File.ReadAllTextAsync(rendered);
    var end = printed.IndexOf("\n\n| measure", StringComparison.Ordinal);
    var saved = JsonSerializer.Deserialize<BenchResult>(end < 0 ? printed : printed[..end], JsonDefaults.Options)!;
    var sampled = new List<SampleCompletion>();
    foreach (var shard in saved.Outputs.Where(o => o.Key.StartsWith("sample", StringComparison.Ordinal)).Select(o => o.Value))
    {
        sampled.AddRange((await ReadLinesAsync<SampleRecord>(ArtifactLayout.Samples(shard))).SelectMany(r => r.Completions));
    }

    var outcomes = new List<PolicyOutcome>();
    foreach (var p in saved.Policies)
    {
        outcomes.Add(p.Status == "ok" ? await OutcomeAsync(p.Policy, saved.Outputs[$"evaluate-{p.Policy.ToLowerInvariant()}"]) : p);
    }

    saved = saved with { SampleEosFraction = sampled.Average(c => c.EndedWithEos ? 1.0 : 0.0), Policies = outcomes, Samples = await SampleRowsAsync(outcomes) };
    await File.WriteAllTextAsync(Path.Combine(repo, "docs/learning-outcome.md"), LearningOutcomeDoc.Render(saved, repo));
    Console.WriteLine(saved.Table());
    return 0;
}

var corpus = await File.ReadAllTextAsync(Path.Combine(dataDir, "corpus.txt"));
var trainPrompts = File.ReadLines(Path.Combine(dataDir, "prompts.train.jsonl")).ToList();
var corpusInput = await PutDataAsync("corpus.txt", Encoding.UTF8.GetBytes(corpus[..Math.Min(config.CorpusChars, corpus.Length)]));
var labelPromptsInput = await PutDataAsync("prompts.train.jsonl", Lines(trainPrompts.Take(config.LabelPrompts)));
var ppoPromptsInput = await PutDataAsync("prompts.ppo.jsonl", Lines(trainPrompts.Skip(config.LabelPrompts).Take(config.PpoPrompts)));
var heldoutPromptsInput = await PutDataAsync("prompts.heldout.jsonl", await File.ReadAllBytesAsync(Path.Combine(dataDir, "prompts.heldout.jsonl")));
var checkPromptsInput = await PutDataAsync("prompts.check.jsonl", Lines(File.ReadLines(Path.Combine(dataDir, "prompts.heldout.jsonl")).Skip(config.EvalPrompts).Take(config.CheckPrompts)));
var lexiconFiles = Directory.GetFiles(Path.Combine(dataDir, "lexicons")).Order(StringComparer.Ordinal).ToList();
var lexiconsInput = $"data/{TrainerRunner.ContentKey(lexiconFiles.SelectMany(f => Encoding.UTF8.GetBytes(Path.GetFileName(f)).Concat(File.ReadAllBytes(f))).ToArray())}/lexicons";
foreach (var file in lexiconFiles)
{
    await store.PutFileAsync($"{lexiconsInput}/{Path.GetFileName(file)}", file);
}

var seconds = new Dictionary<string, double>();
var cpuSeconds = new Dictionary<string, double>();
var outputs = new Dictionary<string, string>();
var reused = new List<string>();
var problems = new List<string>();
var clock = Stopwatch.StartNew();
using var load = new LoadMonitor(TimeSpan.FromSeconds(15));
load.Start();

// Runs one job into its content-addressed output; null when it failed.
async Task<string?> Run(string name, string verb, JsonObject inputs, JsonObject parameters)
{
    log.WriteLine($"== {name}");
    var output = runner.OutputFor(name, verb, inputs, parameters);
    var run = await runner.RunAsync(verb, output, inputs, parameters);
    lock (problems)
    {
        seconds[name] = run.Seconds;
        cpuSeconds[name] = run.CpuSeconds;
        outputs[name] = output;
        if (run.Reused)
        {
            reused.Add(name);
        }

        if (!run.Succeeded)
        {
            problems.Add($"{name} exited {run.ExitCode}: {run.Tail.Split('\n').LastOrDefault(l => l.Length > 0)}");
        }
    }

    return run.Succeeded ? output : null;
}

var result = new BenchResult { Data = Path.GetRelativePath(repo, dataDir), Config = config, Seconds = seconds, CpuSeconds = cpuSeconds, Outputs = outputs, Reused = reused };
if (await Run("sft", "sft", new() { ["corpus"] = corpusInput }, config.Sft) is { } sftOutput
    && await SampleAsync($"{sftOutput}/model") is { } samples)
{
    var sft = $"{sftOutput}/model";

    // Simulated annotators, and the ceiling on the reward verb's own held-out prompts.
    var labels = SimulatedLabels.Build(samples, gold, config.TargetAgreement, config.Seed);
    var preferences = await PutDataAsync("preferences.jsonl", Lines(labels.Records.Select(r => JsonSerializer.Serialize(r, JsonDefaults.Options))));
    var validationFraction = config.Reward["validationFraction"]!.GetValue<double>();
    var heldoutIds = RewardData.Split(RewardData.Group(labels.Records), validationFraction).Heldout.Select(g => g.PromptId).ToHashSet();
    var heldoutRecords = labels.Records.Where(r => heldoutIds.Contains(r.PromptId)).ToList();
    result = result with
    {
        Preferences = labels.Records.Count,
        SampleEosFraction = samples.SelectMany(s => s.Completions).Average(c => c.EndedWithEos ? 1.0 : 0.0),
        AnnotatorTemperature = labels.Temperature,
        AnnotatorAgreementExpected = labels.ExpectedAgreement,
        AnnotatorAgreementMeasured = labels.MeasuredAgreement,
        Ceiling = heldoutRecords.Count > 0 ? SimulatedLabels.Ceiling(heldoutRecords, gold) : null,
        HeldoutPairs = heldoutRecords.Count,
    };

    var policies = new List<PolicyOutcome>();
    var curve = new List<CurvePoint>();
    if (await Run("reward", "reward", new() { ["policy"] = sft, ["preferences"] = preferences }, config.Reward) is { } rewardOutput)
    {
        var rewardModel = $"{rewardOutput}/model";
        var rm = (await ReadLinesAsync<JsonObject>($"{rewardOutput}/metrics.jsonl")).LastOrDefault(l => l.ContainsKey("rm/heldout_accuracy"));
        result = result with { RmHeldoutAccuracy = rm?["rm/heldout_accuracy"]!.GetValue<double>() };
        var trainers = new (string Name, JsonObject Inputs, JsonObject Params)[]
        {
            ("ppo", new() { ["policy"] = sft, ["rewardModel"] = rewardModel, ["prompts"] = ppoPromptsInput, ["lexicons"] = lexiconsInput, ["heldout"] = checkPromptsInput }, config.Ppo),
            ("dpo", new() { ["policy"] = sft, ["preferences"] = preferences }, config.Dpo),
            ("grpo", new() { ["policy"] = sft, ["rewardModel"] = rewardModel, ["prompts"] = ppoPromptsInput, ["lexicons"] = lexiconsInput, ["heldout"] = checkPromptsInput }, config.Grpo),
            ("rloo", new() { ["policy"] = sft, ["rewardModel"] = rewardModel, ["prompts"] = ppoPromptsInput, ["lexicons"] = lexiconsInput, ["heldout"] = checkPromptsInput }, config.Rloo),
        };
        // The policy chains are independent given the SFT policy, the RM and the preferences: they run side by side (each job's
        // CPU time is measured on its own, so the CPU-time total does not depend on the overlap).
        policies.AddRange(await Task.WhenAll(trainers.Where(t => chains.Contains(t.Name)).Select(async trainer =>
        {
            var (name, inputs, parameters) = trainer;
            if (VerbRegistry.Find(name) is null)
            {
                return new PolicyOutcome(name.ToUpperInvariant(), "missing (verb not in VerbRegistry)", null, null, null, null, null, null, null, []);
            }

            var evaluation = await Run(name, name, inputs, parameters) is { } trained
                ? await Run($"evaluate-{name}", "evaluate", EvalInputs($"{trained}/model", sft, rewardModel), config.Evaluate)
                : null;
            return evaluation is not null ? await OutcomeAsync(name.ToUpperInvariant(), evaluation) : new PolicyOutcome(name.ToUpperInvariant(), "failed", null, null, null, null, null, null, null, []);
        })));

        if (chains.Count > 0 && policies.All(p => p.Status != "ok") && await Run("evaluate-sft", "evaluate", EvalInputs(sft, sft, rewardModel), config.Evaluate) is { } sftEvaluation)
        {
            policies.Add(await OutcomeAsync("SFT (self)", sftEvaluation));
        }

        if (outputs.TryGetValue("ppo", out var ppoOutput) && await store.ExistsAsync($"{ppoOutput}/metrics.jsonl"))
        {
            // PPO's held-out checks (same prompts and seed each time), or without them every training rollout.
            var lines = (await ReadLinesAsync<JsonObject>($"{ppoOutput}/metrics.jsonl")).ToList();
            var prefix = lines.Any(l => l.ContainsKey("heldout/kl")) ? "heldout" : "objective";
            curve.AddRange(lines
                .Where(l => l.ContainsKey($"{prefix}/kl"))
                .Select(l => (Step: l["step"]!.GetValue<long>(), Kl: l[$"{prefix}/kl"]!.GetValue<double>(), Gold: l[$"{prefix}/gold"]?.GetValue<double>(),
                    Score: l[prefix == "heldout" ? "heldout/reward" : "objective/scores"]?.GetValue<double>()))
                .Select(l => new CurvePoint(l.Step, l.Kl, Math.Sqrt(Math.Max(0, l.Kl)), l.Gold, l.Score)));
        }
    }

    result = result with { Policies = policies, PpoCurve = curve, Samples = await SampleRowsAsync(policies) };
}

result = result with { TotalSeconds = clock.Elapsed.TotalSeconds, Load = load.Summary(), Problems = problems };
Console.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Indented));
Console.WriteLine();
Console.WriteLine(result.Table());
Console.WriteLine(result.SamplesTable());
if (writeDoc)
{
    var doc = Path.Combine(repo, "docs/learning-outcome.md");
    await File.WriteAllTextAsync(doc, LearningOutcomeDoc.Render(result, repo));
    log.WriteLine($"wrote {doc}");
}

return problems.Count == 0 ? 0 : 1;

// The label prompts' samples from config.SampleShards jobs run side by side, merged back into prompt order (prompt i is
// line i / shards of shard i mod shards); null when a shard failed.
async Task<List<SampleRecord>?> SampleAsync(string policy)
{
    var shards = config.SampleShards;
    var inputs = new JsonObject { ["policy"] = policy, ["prompts"] = labelPromptsInput };
    var runs = await Task.WhenAll(Enumerable.Range(0, shards).Select(shard =>
    {
        var parameters = config.Sample;
        if (shards > 1)
        {
            parameters["shard"] = shard;
            parameters["shards"] = shards;
        }

        return Run(shards > 1 ? $"sample-{shard}" : "sample", "sample", inputs.DeepClone().AsObject(), parameters);
    }));
    if (runs.Any(r => r is null))
    {
        return null;
    }

    var lines = new List<List<SampleRecord>>();
    foreach (var output in runs)
    {
        lines.Add([.. await ReadLinesAsync<SampleRecord>(ArtifactLayout.Samples(output!))]);
    }

    return [.. Enumerable.Range(0, lines.Sum(l => l.Count)).Select(i => lines[i % shards][i / shards])];
}

// Stores a data file under a path named by its content (data/{key}/{name}), so jobs reading it are keyed by it too.
async Task<string> PutDataAsync(string name, byte[] content)
{
    var path = $"data/{TrainerRunner.ContentKey(content)}/{name}";
    if (!await store.ExistsAsync(path))
    {
        await store.PutAsync(path, content);
    }

    return path;
}

JsonObject EvalInputs(string policy, string reference, string rewardModel) => new()
{
    ["policy"] = policy,
    ["reference"] = reference,
    ["rewardModel"] = rewardModel,
    ["prompts"] = heldoutPromptsInput,
    ["lexicons"] = lexiconsInput,
};

async Task<PolicyOutcome> OutcomeAsync(string name, string output)
{
    var report = JsonNode.Parse(await store.ReadAsync($"{output}/evaluation.json"))!;
    var m = report["metrics"]!.AsObject();
    double M(string key) => m[key]!.GetValue<double>();
    double? Optional(string key) => m[key]?.GetValue<double>();
    var gain = (M(MetricKeys.Gold) - M("eval/ref_gold")) / M("eval/ref_gold_std");
    // The same policies' samples under the old gold (V1), scored here: the trainer scored them with the current gold only.
    var samples = (await ReadLinesAsync<EvaluationSample>($"{output}/{EvaluateVerb.SamplesOutput}")).ToList();
    var oldGold = GoldChange.Of(samples.Select(x => goldV1.Score(x.Prompt, x.Policy).Total).ToList(), samples.Select(x => goldV1.Score(x.Prompt, x.Reference).Total).ToList());
    return new PolicyOutcome(name, "ok", M(MetricKeys.Gold), M("eval/ref_gold"), M("eval/ref_gold_std"), gain, M(MetricKeys.Kl), M(MetricKeys.Reward), M(MetricKeys.WinRate),
        [.. report["flags"]!.AsArray().Select(f => f!["name"]!.GetValue<string>())],
        M("eval/eos_fraction"), M("eval/response_tokens"), Optional("eval/ref_eos_fraction"), M("eval/ref_response_tokens"))
    {
        Fluency = Optional("eval/gold/fluency"),
        SftFluency = Optional("eval/ref_gold/fluency"),
        SentenceEndFraction = Optional("eval/sentence_end_fraction"),
        SftSentenceEndFraction = Optional("eval/ref_sentence_end_fraction"),
        GoldV1 = oldGold,
        Evaluation = output,
    };
}

// Ten held-out prompts drawn with the run's seed (not picked), each with its first sample from SFT and every trained policy
// (the evaluations sample prompt i of SFT and of each policy with the same generator seed, so the SFT column is shared).
async Task<IReadOnlyList<SampleRow>> SampleRowsAsync(IReadOnlyList<PolicyOutcome> outcomes)
{
    var ok = outcomes.Where(o => o.Status == "ok" && o.Evaluation is not null && !o.Policy.StartsWith("SFT", StringComparison.Ordinal)).ToList();
    if (ok.Count == 0)
    {
        return [];
    }

    var byPolicy = new Dictionary<string, Dictionary<string, EvaluationSample>>();
    foreach (var o in ok)
    {
        byPolicy[o.Policy] = (await ReadLinesAsync<EvaluationSample>($"{o.Evaluation}/{EvaluateVerb.SamplesOutput}")).Where(x => x.Index == 0).ToDictionary(x => x.PromptId);
    }

    var ids = byPolicy[ok[0].Policy].Keys.Order(StringComparer.Ordinal).ToArray();
    new Random(config.Seed).Shuffle(ids);
    return [.. ids.Take(SampleRow.Count).Select(id =>
    {
        var first = byPolicy[ok[0].Policy][id];
        return new SampleRow(first.Prompt, first.Reference, gold.Score(first.Prompt, first.Reference).Total, goldV1.Score(first.Prompt, first.Reference).Total,
            [.. ok.Select(o => byPolicy[o.Policy][id]).Select((x, i) => new PolicySample(ok[i].Policy, x.Policy, gold.Score(x.Prompt, x.Policy).Total, goldV1.Score(x.Prompt, x.Policy).Total))]);
    })];
}

async Task<IEnumerable<T>> ReadLinesAsync<T>(string path) =>
    Encoding.UTF8.GetString(await store.ReadAsync(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => JsonSerializer.Deserialize<T>(line, JsonDefaults.Options)!);

static byte[] Lines(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

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

    throw new DirectoryNotFoundException("Run from inside the repository (Pipeline.sln not found).");
}
