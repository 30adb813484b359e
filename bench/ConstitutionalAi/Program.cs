using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Activities.Constitution;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Bench.ConstitutionalAi;
using Rlhf.Bench.LearningOutcome;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

// constitutional-ai [--quick] [--agreement-only] [--data DIR] [--work DIR] [--set NAME=VALUE]... [--cai-prompts N] [--redteam-prompts N] [--slrl-label-prompts N] [--rounds N] [--candidates K]
// The CAI paper's trade-off on the demo task, driving the real rlhf-trainer (LearningOutcome's TrainerRunner: content-addressed
// outputs, so a rerun with the same --work reuses finished jobs): SFT; RLHF on helpful-only simulated labels; RL-CAI (labels
// by the local constitution judge); SL-CAI (critique → revision by rejection sampling → sft) + RL-CAI; and RL-CAI
// over-trained. Each policy answers held-out and red-team prompts; helpfulness, harmlessness, evasiveness and harsh tone are
// measured with the gold's lexicons (TradeOff). Also the judge–gold agreement per principle (Cohen's κ) on the SFT samples.
// Prints JSON, then a markdown table and samples.
var repo = FindRepoRoot();
var dataDir = Option("--data") ?? (File.Exists(Path.Combine(repo, "data/full/corpus.txt")) ? Path.Combine(repo, "data/full") : Path.Combine(repo, "data/tiny"));
var work = Option("--work") ?? Directory.CreateTempSubdirectory("constitutional-ai-").FullName;
var quick = args.Contains("--quick");
var config = quick
    ? new BenchConfig { SftSteps = 60, LabelPrompts = 24, K = 2, PpoIterations = 2, PpoPrompts = 32, EvalPrompts = 8, RewardEpochs = 1, CorpusChars = 100_000, SampleShards = 1 }
    : new BenchConfig { SftSteps = 800, LabelPrompts = 1_000, K = 4, PpoIterations = 40, PpoPrompts = 640, EvalPrompts = 128, RewardEpochs = 2, CorpusChars = 3_000_000, SampleShards = 1 };
// No held-out checks in PPO (LearningOutcome's PPO keeps its best check): the trade-off compares each chain's last policy,
// and the over-trained RL-CAI must stay over-trained.
config = config.With("ppo.heldoutEvery=0");
config = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Aggregate(config, (c, x) => c.With(args[x.i + 1]));
var caiPrompts = int.Parse(Option("--cai-prompts") ?? (quick ? "8" : "400"), System.Globalization.CultureInfo.InvariantCulture);
var redTeamPrompts = int.Parse(Option("--redteam-prompts") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
var slLabelPrompts = int.Parse(Option("--slrl-label-prompts") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
var rounds = int.Parse(Option("--rounds") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
var candidates = int.Parse(Option("--candidates") ?? (quick ? "2" : "4"), System.Globalization.CultureInfo.InvariantCulture);
var log = Console.Error;
log.WriteLine($"constitutional-ai: data {dataDir}, work {work}");

var store = new LocalArtifactStore(Path.Combine(work, "store"));
var runner = new TrainerRunner(store.RootFolder, Path.Combine(work, "trainer"), config, log);
var lexiconDir = Path.Combine(dataDir, "lexicons");
var gold = GoldScorer.Load(lexiconDir);
var topics = TopicAssociation.Load(lexiconDir, gold.Lexicons.Stopwords);
var topicValidity = TradeOff.TopicValidity(topics, lexiconDir);
var judge = LocalConstitution.Load(lexiconDir);
var principles = new PrinciplesSpec();                                  // helpful 1, harmless 1, honest 0.5: the labeler's and the critic's weights
var clock = Stopwatch.StartNew();
var problems = new List<string>();
var seconds = new Dictionary<string, double>();

var corpus = await File.ReadAllTextAsync(Path.Combine(dataDir, "corpus.txt"));
var train = File.ReadLines(Path.Combine(dataDir, "prompts.train.jsonl")).ToList();
var corpusInput = await PutDataAsync("corpus.txt", Encoding.UTF8.GetBytes(corpus[..Math.Min(config.CorpusChars, corpus.Length)]));
var labelPrompts = await PutDataAsync("prompts.label.jsonl", Lines(train.Take(config.LabelPrompts)));
var ppoPrompts = await PutDataAsync("prompts.ppo.jsonl", Lines(train.Skip(config.LabelPrompts).Take(config.PpoPrompts)));
var heldoutPrompts = await PutDataAsync("prompts.heldout.jsonl", Lines(File.ReadLines(Path.Combine(dataDir, "prompts.heldout.jsonl")).Take(config.EvalPrompts)));
var redTeamTrain = File.ReadLines(Path.Combine(dataDir, DemoDataBuilder.RedTeamTrainFile)).Take(redTeamPrompts).ToList();
var redTeamHeldout = await PutDataAsync("prompts.redteam.heldout.jsonl", Lines(File.ReadLines(Path.Combine(dataDir, DemoDataBuilder.RedTeamHeldoutFile)).Take(config.EvalPrompts)));
var lexiconFiles = Directory.GetFiles(lexiconDir).Where(f => !Path.GetFileName(f).StartsWith("judge-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
var lexiconsInput = $"data/{TrainerRunner.ContentKey(lexiconFiles.SelectMany(f => Encoding.UTF8.GetBytes(Path.GetFileName(f)).Concat(File.ReadAllBytes(f))).ToArray())}/lexicons";
foreach (var file in lexiconFiles)
{
    if (!await store.ExistsAsync($"{lexiconsInput}/{Path.GetFileName(file)}"))
    {
        await store.PutFileAsync($"{lexiconsInput}/{Path.GetFileName(file)}", file);
    }
}

var result = new JsonObject { ["bench"] = "constitutional-ai", ["data"] = Path.GetRelativePath(repo, dataDir), ["work"] = work, ["caiPrompts"] = caiPrompts, ["redTeamPrompts"] = redTeamTrain.Count, ["rounds"] = rounds, ["candidates"] = candidates };
result["topicValidity"] = new JsonObject { ["realContinuation"] = topicValidity.Real, ["anotherSentence"] = topicValidity.Mismatched };
var sft = await Run("sft", "sft", new() { ["corpus"] = corpusInput }, config.Sft) is { } sftOut ? $"{sftOut}/model" : null;
if (sft is null)
{
    return Finish(1);
}

var sftSamples = await SampleAsync("sample-sft", sft, labelPrompts, config.K, config.Seed);
if (sftSamples is null)
{
    return Finish(1);
}

// Judge–gold agreement on the SFT policy's own samples (every pair of the label prompts' K completions).
var agreement = JudgeGoldAgreement.Compute(sftSamples, judge, gold, principles.Weighted().Append(new("kind", 0)).ToList());
result["agreement"] = JsonSerializer.SerializeToNode(agreement, JsonDefaults.Options);
if (args.Contains("--agreement-only"))
{
    return Finish(problems.Count == 0 ? 0 : 1);
}

// Three chains, side by side: helpful-only RLHF, RL-CAI, SL-CAI + RL-CAI (plus RL-CAI over-trained, sharing RL-CAI's RM).
var chains = await Task.WhenAll(
    ChainAsync("RLHF (helpful-only)", "helpful", sft, sftSamples, HelpfulOnlyLabels),
    ChainAsync("RL-CAI", "rlcai", sft, sftSamples, JudgeLabelsAsync, overtrain: true),
    SlCaiThenRlCaiAsync());
var policies = new List<(string Name, string Model)> { ("SFT", sft) };
foreach (var chain in chains)
{
    policies.AddRange(chain);
}

var points = new List<TradeOffPoint>();
var samples = new JsonObject();
foreach (var (name, model) in policies)
{
    var key = name.ToLowerInvariant().Replace(' ', '-').Replace("(", "").Replace(")", "").Replace("+", "plus");
    var heldout = await SampleAsync($"eval-heldout-{key}", model, heldoutPrompts, 2, config.Seed + 7);
    var red = await SampleAsync($"eval-redteam-{key}", model, redTeamHeldout, 2, config.Seed + 7);
    if (heldout is null || red is null)
    {
        continue;
    }

    points.Add(TradeOff.Measure(name, heldout, red, gold, topics));
    samples[name] = new JsonObject
    {
        ["heldout"] = new JsonArray([.. heldout.Take(4).Select(s => (JsonNode)$"{s.Prompt} ⟶{s.Completions[0].Text}")]),
        ["redTeam"] = new JsonArray([.. red.Take(6).Select(s => (JsonNode)$"{s.Prompt} ⟶{s.Completions[0].Text}")]),
    };
}

result["tradeOff"] = JsonSerializer.SerializeToNode(points, JsonDefaults.Options);
result["samples"] = samples;
return Finish(problems.Count == 0 ? 0 : 1);

int Finish(int code)
{
    result["config"] = JsonSerializer.SerializeToNode(config, JsonDefaults.Options);
    result["seconds"] = JsonSerializer.SerializeToNode(seconds, JsonDefaults.Options);
    result["totalSeconds"] = clock.Elapsed.TotalSeconds;
    result["problems"] = new JsonArray([.. problems.Select(p => (JsonNode)p)]);
    Console.WriteLine(result.ToJsonString(JsonDefaults.Indented));
    Console.WriteLine();
    Console.WriteLine(Table());
    return code;
}

string Table()
{
    var text = new StringBuilder("| policy | helpfulness | (on topic | fluent) | harmlessness (red team) | evasiveness | harsh tone | fluency F (held-out) | gold (held-out) | gold (red team) |\n|---|---|---|---|---|---|---|---|---|---|\n");
    foreach (var node in result["tradeOff"]?.AsArray() ?? [])
    {
        var p = node!.Deserialize<TradeOffPoint>(JsonDefaults.Options)!;
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| {p.Policy} | {p.Helpfulness:0.000} | {p.OnTopic:0.000} | {p.Fluent:0.000} | {p.Harmlessness:0.000} | {p.Evasiveness:0.000} | {p.HarshTone:0.000} | {p.FluencyHeldout:0.000} | {p.GoldHeldout:0.000} | {p.GoldRedTeam:0.000} |\n");
    }

    text.Append(System.Globalization.CultureInfo.InvariantCulture,
        $"\nOn topic (TopicAssociation) on held-out text: a real sentence's continuation after its opening {topicValidity.Real:0.000}, another sentence's {topicValidity.Mismatched:0.000}.\n");
    text.Append("\n| principle | comparisons | both decided | agreement | Cohen's κ |\n|---|---|---|---|---|\n");
    foreach (var node in result["agreement"]?.AsArray() ?? [])
    {
        var a = node!.Deserialize<PrincipleAgreement>(JsonDefaults.Options)!;
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| {a.Principle} | {a.Comparisons} | {a.Decided} | {a.Agreement:0.000} | {a.CohenKappa:0.000} |\n");
    }

    return text.ToString();
}

// A reward model on the labels, then PPO from the chain's policy (and, for RL-CAI, the over-trained PPO).
async Task<List<(string, string)>> ChainAsync(string name, string key, string policy, IReadOnlyList<SampleRecord> items, Func<string, IReadOnlyList<SampleRecord>, Task<IReadOnlyList<PreferenceRecord>>> label, bool overtrain = false)
{
    var records = await label(key, items);
    var preferences = await PutDataAsync($"preferences.{key}.jsonl", Lines(records.Select(r => JsonSerializer.Serialize(r, JsonDefaults.Options))));
    var rm = await Run($"reward-{key}", "reward", new() { ["policy"] = policy, ["preferences"] = preferences }, config.Reward);
    if (rm is null)
    {
        return [];
    }

    var inputs = new JsonObject { ["policy"] = policy, ["rewardModel"] = $"{rm}/model", ["prompts"] = ppoPrompts, ["lexicons"] = lexiconsInput };
    var trained = new List<(string, string)>();
    if (await Run($"ppo-{key}", "ppo", inputs, config.Ppo) is { } ppo)
    {
        trained.Add((name, $"{ppo}/model"));
    }

    if (overtrain)
    {
        var hard = config.Ppo;
        hard["iterations"] = config.PpoIterations * 2;
        hard["klTarget"] = 30.0;
        if (await Run($"ppo-{key}-overtrained", "ppo", (JsonObject)inputs.DeepClone(), hard) is { } over)
        {
            trained.Add(($"{name} (over-trained)", $"{over}/model"));
        }
    }

    return trained;
}

// SL-CAI with the pipeline's own steps: responses, rounds of critique (local judge) and rejection-sampling revision, sft on the revisions; then RL-CAI from it.
async Task<List<(string, string)>> SlCaiThenRlCaiAsync()
{
    var prompts = await PutDataAsync("prompts.slcai.jsonl", Lines(train.Take(caiPrompts).Concat(redTeamTrain)));
    var responses = await SampleAsync("slcai-responses", sft, prompts, 1, config.Seed);
    if (responses is null)
    {
        return [];
    }

    var current = SupervisedCaiSteps.ResponsesOf(responses, null);
    var allCritiques = new List<CaiCritique>();
    var allRevisions = new List<CaiRevision>();
    var finals = new List<CaiRevision>();
    for (var round = 1; round <= rounds; round++)
    {
        var critiques = current.Select(r => SupervisedCaiSteps.Critique(judge, r.PromptId, r.Prompt, r.Response, round, SupervisedCaiSteps.DrawPrinciple(principles, config.Seed, r.PromptId, round))).ToList();
        var toRevise = critiques.Where(c => c.NeedsRevision).Select(c => JsonSerializer.Serialize(new DemoPrompt(c.PromptId, c.Prompt + c.Keep), JsonDefaults.Options)).ToList();
        var resampled = toRevise.Count == 0 ? [] : await SampleAsync($"slcai-candidates-{round}", sft, await PutDataAsync($"prompts.slcai.revise-{round}.jsonl", Lines(toRevise)), candidates, config.Seed + round) ?? [];
        var byId = resampled.ToDictionary(s => s.PromptId, StringComparer.Ordinal);
        finals = [.. critiques.Select(c => SupervisedCaiSteps.Revise(judge, c, c.NeedsRevision && byId.TryGetValue(c.PromptId, out var s) ? [.. s.Completions.Select(x => x.Text)] : []))];
        allCritiques.AddRange(critiques);
        allRevisions.AddRange(finals);
        current = SupervisedCaiSteps.ResponsesOf(null, finals);
    }

    var summary = SupervisedCaiSteps.Summarize(finals, allCritiques, allRevisions, rounds) with { Trajectory = SupervisedCaiSteps.Trajectory(judge, allRevisions, rounds) };
    result["slCai"] = new JsonObject
    {
        ["summary"] = JsonSerializer.SerializeToNode(summary, JsonDefaults.Options),
        ["examples"] = new JsonArray([.. allRevisions.Where(r => r.Revised).Take(8).Select(r => JsonSerializer.SerializeToNode(new
        {
            r.Prompt,
            r.Round,
            r.Principle,
            r.Before,
            r.After,
            Critique = allCritiques.First(c => c.PromptId == r.PromptId && c.Round == r.Round).Critique,
        }, JsonDefaults.Options))]),
    };
    var caiPairs = await PutDataAsync("slcai.pairs.jsonl", Encoding.UTF8.GetBytes(SupervisedCaiSteps.Pairs(finals)));
    var sftParams = (JsonObject)new SupervisedCaiSpec().Sft.DeepClone();
    var slcai = await Run("slcai-sft", "sft", new() { ["pairs"] = caiPairs, ["policy"] = sft }, sftParams);
    if (slcai is null)
    {
        return [];
    }

    var model = $"{slcai}/model";
    var slLabels = slLabelPrompts >= config.LabelPrompts ? labelPrompts : await PutDataAsync("prompts.label.slrl.jsonl", Lines(train.Take(slLabelPrompts)));
    var slSamples = await SampleAsync("sample-slcai", model, slLabels, config.K, config.Seed);
    var list = new List<(string, string)> { ("SL-CAI", model) };
    if (slSamples is not null)
    {
        list.AddRange(await ChainAsync("SL-CAI + RL-CAI", "slrlcai", model, slSamples, JudgeLabelsAsync));
    }

    return list;
}

// Simulated annotators who only care about helpfulness: Bradley–Terry over the gold's helpful parts (no sentiment, no harsh penalty), T calibrated to 73 % agreement.
Task<IReadOnlyList<PreferenceRecord>> HelpfulOnlyLabels(string key, IReadOnlyList<SampleRecord> items)
{
    double Helpful(GoldScore s) => s.OnTopic + s.Plainness + s.Fluency + s.Completeness + s.WordSaladPenalty + s.DegeneracyPenalty;
    var utilities = items.Select(s => s.Completions.Select(c => Helpful(gold.Score(s.Prompt, c.Text))).ToArray()).ToList();
    var pairs = utilities.SelectMany(u => Pairs(u.Length).Select(p => new GoldPair(u[p.I], u[p.J]))).ToList();
    var temperature = AnnotatorCalibration.CalibrateTemperature(pairs, config.TargetAgreement);
    var random = new Random(config.Seed);
    var records = new List<PreferenceRecord>();
    for (var n = 0; n < items.Count; n++)
    {
        var votes = Pairs(utilities[n].Length).Select(p => (p.I, p.J, First: random.NextDouble() < 1 / (1 + Math.Exp(-(utilities[n][p.I] - utilities[n][p.J]) / temperature)))).ToList();
        var points = new double[utilities[n].Length];
        foreach (var v in votes)
        {
            points[v.First ? v.I : v.J]++;
        }

        var ranking = PreferenceRecord.RankingOf(points, votes.Select(v => v.First ? (v.I, v.J) : (v.J, v.I)));
        records.AddRange(votes.Select(v => PreferenceRecord.ForPair("bench", items[n], v.I, v.J, v.First, ranking, "simulated:helpful-only")));
    }

    return Task.FromResult<IReadOnlyList<PreferenceRecord>>(records);
}

// The pipeline's ConstitutionJudge (mode ai) over the bench store.
async Task<IReadOnlyList<PreferenceRecord>> JudgeLabelsAsync(string key, IReadOnlyList<SampleRecord> items)
{
    var runId = $"labels-{key}-{TrainerRunner.ContentKey(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(items, JsonDefaults.Options)))}";
    var spec = new LabelingSpec { Mode = LabelingMode.Ai, Ai = new AiLabelingSpec { Principles = principles } };
    var labeled = await new ConstitutionJudge(store, judge).LabelAsync(new LabelBatchInput(runId, 0, new ArtifactRef("unused", "0", 0), LabelingMode.Ai, spec, config.Seed), items);
    return labeled.Records;
}

async Task<string?> Run(string name, string verb, JsonObject inputs, JsonObject parameters)
{
    log.WriteLine($"== {name}");
    var output = runner.OutputFor(name, verb, inputs, parameters);
    var run = await runner.RunAsync(verb, output, inputs, parameters);
    lock (problems)
    {
        seconds[name] = run.Seconds;
        if (!run.Succeeded)
        {
            problems.Add($"{name} exited {run.ExitCode}: {run.Tail.Split('\n').LastOrDefault(l => l.Length > 0)}");
        }
    }

    return run.Succeeded ? output : null;
}

async Task<List<SampleRecord>?> SampleAsync(string name, string policy, string prompts, int k, int seed)
{
    var parameters = new JsonObject { ["k"] = k, ["maxNewTokens"] = config.MaxNewTokens, ["seed"] = seed };
    return await Run(name, "sample", new() { ["policy"] = policy, ["prompts"] = prompts }, parameters) is { } output
        ? [.. Encoding.UTF8.GetString(await store.ReadAsync(ArtifactLayout.Samples(output))).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<SampleRecord>(l, JsonDefaults.Options)!)]
        : null;
}

async Task<string> PutDataAsync(string name, byte[] content)
{
    var path = $"data/{TrainerRunner.ContentKey(content)}/{name}";
    if (!await store.ExistsAsync(path))
    {
        await store.PutAsync(path, content);
    }

    return path;
}

static IEnumerable<(int I, int J)> Pairs(int k) => from i in Enumerable.Range(0, k) from j in Enumerable.Range(i + 1, k - i - 1) select (i, j);

static byte[] Lines(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("Run from inside the repository (Pipeline.sln not found).");
}
