using System.Globalization;
using System.Text;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>Gold score of one policy's held-out samples against the SFT policy's, sampled with the same seeds.</summary>
/// <param name="GainInSftSd">(gold − SFT gold) / SD of the SFT samples' gold.</param>
/// <param name="EosFraction">Share of the policy's samples that ended with EOS (SFT's in <see cref="SftEosFraction"/>).</param>
/// <param name="ResponseTokens">Mean tokens per policy sample, EOS included.</param>
public sealed record PolicyOutcome(
    string Policy, string Status, double? Gold, double? SftGold, double? SftGoldSd, double? GainInSftSd, double? Kl, double? Reward, double? WinRate, IReadOnlyList<string> Flags,
    double? EosFraction = null, double? ResponseTokens = null, double? SftEosFraction = null, double? SftResponseTokens = null)
{
    /// <summary>Mean <c>gold/fluency</c> of the policy's samples (SFT's in <see cref="SftFluency"/>); null without the V2 gold.</summary>
    public double? Fluency { get; init; }

    public double? SftFluency { get; init; }

    /// <summary>Share of samples that finish a sentence (<c>FluencyText.IsComplete</c>).</summary>
    public double? SentenceEndFraction { get; init; }

    public double? SftSentenceEndFraction { get; init; }

    /// <summary>The same samples scored by the old gold (<c>GoldVersion.V1</c>), for the side-by-side figures.</summary>
    public GoldChange? GoldV1 { get; init; }

    /// <summary>The evaluate job's output folder (its samples.jsonl feeds the sample table).</summary>
    public string? Evaluation { get; init; }

    /// <summary>Target: ≥ 1 SD of gold gain at KL ≤ 10 nats, no alarm, and fluency and end-of-text fraction not below SFT's.</summary>
    public bool? MeetsTarget => GainInSftSd is null || Kl is null ? null
        : GainInSftSd >= 1 && Kl <= 10 && Flags.Count == 0 && !(Fluency < SftFluency) && !(EosFraction < SftEosFraction);
}

/// <summary>Mean gold of a policy's samples and of SFT's, and the gain in SDs of SFT's gold, under one gold version.</summary>
public sealed record GoldChange(double Gold, double SftGold, double SftGoldSd)
{
    public double GainInSftSd => (Gold - SftGold) / SftGoldSd;

    public static GoldChange Of(IReadOnlyList<double> policy, IReadOnlyList<double> sft)
    {
        var mean = sft.Average();
        return new GoldChange(policy.Average(), mean, Math.Sqrt(sft.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, sft.Count - 1)));
    }
}

/// <summary>One held-out prompt of the sample table: SFT's continuation and each policy's, with their gold (current and V1).</summary>
public sealed record SampleRow(string Prompt, string Sft, double SftGold, double SftGoldV1, IReadOnlyList<PolicySample> Policies)
{
    /// <summary>Prompts in the table.</summary>
    public const int Count = 10;
}

public sealed record PolicySample(string Policy, string Text, double Gold, double GoldV1);

/// <summary>One PPO iteration of the gold-vs-√KL curve (from the ppo job's metrics.jsonl).</summary>
public sealed record CurvePoint(long Iteration, double Kl, double SqrtKl, double? Gold, double? Score);

/// <summary>Everything the benchmark measured.</summary>
public sealed record BenchResult
{
    public required string Data { get; init; }
    public required BenchConfig Config { get; init; }
    public required IReadOnlyDictionary<string, double> Seconds { get; init; }
    /// <summary>CPU seconds (user + system) of each trainer job: its cost on an idle machine, whatever else shared the cores.</summary>
    public required IReadOnlyDictionary<string, double> CpuSeconds { get; init; }
    /// <summary>Content-addressed output folder of each job (see <see cref="TrainerRunner.OutputFor"/>).</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();
    /// <summary>Jobs that had completed in the same work folder earlier and were not run again (their recorded times are reported).</summary>
    public IReadOnlyList<string> Reused { get; init; } = [];
    public double TotalSeconds { get; init; }
    /// <summary>The machine's 1-minute load average during the run (other users' work included).</summary>
    public LoadSummary? Load { get; init; }
    public double TotalCpuSeconds => CpuSeconds.Values.Sum();
    public int Preferences { get; init; }
    /// <summary>Share of the labeled SFT completions that ended with EOS within maxNewTokens.</summary>
    public double SampleEosFraction { get; init; }
    public double AnnotatorTemperature { get; init; }
    public double AnnotatorAgreementExpected { get; init; }
    public double AnnotatorAgreementMeasured { get; init; }
    public double? RmHeldoutAccuracy { get; init; }
    public double? Ceiling { get; init; }
    public int HeldoutPairs { get; init; }
    public double? RmShareOfCeiling => RmHeldoutAccuracy / Ceiling;

    /// <summary>
    /// The run took ≤ 20 min of wall time (jobs run side by side on the 2 cores: sample shards, then PPO's and DPO's chains);
    /// null when jobs were reused, as the clock then did not see them run. Read it with <see cref="Load"/>: other work on the
    /// machine slows the run down, never up.
    /// </summary>
    public bool? WallTimeMet => Reused.Count > 0 ? null : TotalSeconds <= 20 * 60;
    public IReadOnlyList<PolicyOutcome> Policies { get; init; } = [];
    public IReadOnlyList<CurvePoint> PpoCurve { get; init; } = [];
    public IReadOnlyList<SampleRow> Samples { get; init; } = [];
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>The readable table (plain text, also the body of docs/learning-outcome.md's results).</summary>
    public string Table()
    {
        var s = new StringBuilder();
        s.AppendLine(Inv($"| measure | value | target |"));
        s.AppendLine("|---|---|---|");
        s.AppendLine(Inv($"| labeled SFT completions ended with EOS ({Config.MaxNewTokens} tokens max) | {SampleEosFraction:P1} | |"));
        s.AppendLine(Inv($"| annotators: T, agreement expected / measured | {AnnotatorTemperature:F4}, {AnnotatorAgreementExpected:P1} / {AnnotatorAgreementMeasured:P1} | ~73 % |"));
        s.AppendLine(Inv($"| RM held-out accuracy ({HeldoutPairs} pairs) | {F(RmHeldoutAccuracy, "P1")} | |"));
        s.AppendLine(Inv($"| ceiling (gold order vs the same noisy labels) | {F(Ceiling, "P1")} | |"));
        s.AppendLine(Inv($"| RM accuracy / ceiling | {F(RmShareOfCeiling, "P1")} | ≥ 95 % |"));
        foreach (var p in Policies)
        {
            s.AppendLine(Inv($"| {p.Policy}: gold vs SFT gold (SD) | {(p.Status == "ok" ? $"{F(p.Gold, "F3")} vs {F(p.SftGold, "F3")} ({F(p.SftGoldSd, "F3")})" : p.Status)} | |"));
            s.AppendLine(Inv($"| {p.Policy}: gain in SFT SDs, KL to SFT (nats) | {F(p.GainInSftSd, "F2")} SD at KL {F(p.Kl, "F2")} | ≥ 1 SD at KL ≤ 10 |"));
            s.AppendLine(Inv($"| {p.Policy}: RM reward, win rate vs SFT, alarms | {F(p.Reward, "F2")}, {F(p.WinRate, "P1")}, {(p.Flags.Count == 0 ? "none" : string.Join(' ', p.Flags))} | |"));
            s.AppendLine(Inv($"| {p.Policy}: ended with EOS, tokens per sample (SFT) | {F(p.EosFraction, "P1")}, {F(p.ResponseTokens, "F1")} ({F(p.SftEosFraction, "P1")}, {F(p.SftResponseTokens, "F1")}) | EOS not below SFT's |"));
            s.AppendLine(Inv($"| {p.Policy}: fluency, sentence-end fraction (SFT) | {F(p.Fluency, "F3")}, {F(p.SentenceEndFraction, "P1")} ({F(p.SftFluency, "F3")}, {F(p.SftSentenceEndFraction, "P1")}) | fluency not below SFT's |"));
            if (p.GoldV1 is { } v1)
            {
                s.AppendLine(Inv($"| {p.Policy}: the same samples under the old gold (V1): gold vs SFT (SD), gain | {v1.Gold:F3} vs {v1.SftGold:F3} ({v1.SftGoldSd:F3}), {v1.GainInSftSd:F2} SD | |"));
            }
        }

        var load = Load is { } l ? Inv($"; load average {l.Mean:F1} mean, {l.Max:F1} max on {Environment.ProcessorCount} cores") : "";
        s.AppendLine(Inv($"| wall time (this machine, shared{load}) | {TotalSeconds / 60:F1} min ({string.Join(", ", Seconds.Select(kv => $"{kv.Key} {kv.Value:F0}s"))}) | ≤ 20 min on 2 cores |"));
        if (Reused.Count > 0)
        {
            s.AppendLine(Inv($"| jobs reused from an earlier run in the same work folder (times as recorded then) | {string.Join(", ", Reused)} | |"));
        }

        s.AppendLine(Inv($"| trainer CPU time (user + system of each trainer process) | {TotalCpuSeconds / 60:F1} CPU-min ({string.Join(", ", CpuSeconds.Select(kv => $"{kv.Key} {kv.Value:F0}s"))}) | |"));
        var policies = string.Concat(Policies.Select(p => $"{p.Policy} {Met(p.MeetsTarget)}; "));
        s.AppendLine(Inv($"| **targets met** | RM {Met(RmShareOfCeiling >= 0.95)}; {policies}time {Met(WallTimeMet)} | |"));
        if (PpoCurve.Count > 0)
        {
            s.AppendLine();
            var fit = PpoCurve[0].Gold is { } start
                ? Rlhf.Core.Demo.GaoCurve.Fit([.. PpoCurve.Where(c => c.Gold is not null).Select(c => (c.SqrtKl, c.Gold!.Value - start))])
                : null;
            s.AppendLine(Inv($"PPO: gold score vs √KL at each held-out check (iteration 0 is SFT; or every training rollout when the job ran no checks){(fit is null ? "" : Inv($", and the Gao et al. fit of the gain R(d) = d·(α − β·ln d): α {fit.Alpha:F3}, β {fit.Beta:F3}{(fit.PeakAt is { } peak ? Inv($", peak at √KL {peak:F2} (KL {peak * peak:F1})") : ", no peak")}"))}"));
            s.AppendLine();
            s.AppendLine("| iteration | KL | √KL | gold | fitted gold | RM score |");
            s.AppendLine("|---|---|---|---|---|---|");
            var every = Math.Max(1, PpoCurve.Count / 20);
            foreach (var c in PpoCurve.Where((_, i) => i % every == 0 || i == PpoCurve.Count - 1))
            {
                var fitted = fit is null || PpoCurve[0].Gold is not { } g0 ? "n/a" : Inv($"{g0 + fit.At(c.SqrtKl):F3}");
                s.AppendLine(Inv($"| {c.Iteration} | {c.Kl:F3} | {c.SqrtKl:F3} | {F(c.Gold, "F3")} | {fitted} | {F(c.Score, "F3")} |"));
            }
        }

        foreach (var problem in Problems)
        {
            s.AppendLine(Inv($"\nproblem: {problem}"));
        }

        return s.ToString();
    }

    /// <summary>The sample table: <see cref="SampleRow.Count"/> held-out prompts drawn with the seed, each policy's first sample.</summary>
    public string SamplesTable()
    {
        var s = new StringBuilder();
        if (Samples.Count == 0)
        {
            return "";
        }

        s.AppendLine(Inv($"{Samples.Count} held-out prompts drawn with `new Random({Config.Seed})` from the evaluation's prompts (not picked); each column is that policy's first sample of the prompt, drawn with the same generator seed as SFT's; gold under V2 / V1 in brackets."));
        s.AppendLine();
        var names = Samples[0].Policies.Select(p => p.Policy).ToList();
        s.AppendLine($"| prompt | SFT | {string.Join(" | ", names)} |");
        s.AppendLine($"|---|---|{string.Concat(names.Select(_ => "---|"))}");
        foreach (var row in Samples)
        {
            s.AppendLine(Inv($"| {Cell(row.Prompt)} | {Cell(row.Sft)} ({row.SftGold:F2} / {row.SftGoldV1:F2}) | {string.Join(" | ", row.Policies.Select(p => Inv($"{Cell(p.Text)} ({p.Gold:F2} / {p.GoldV1:F2})")))} |"));
        }

        return s.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    private static string Met(bool? met) => met switch { true => "yes", false => "no", null => "n/a" };

    private static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
