using System.Globalization;
using System.Text;
using System.Text.Json;
using Rlhf.Core.Json;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>
/// Renders docs/learning-outcome.md from a <see cref="BenchResult"/>: the method is fixed text, the figures are measured,
/// and the side experiments behind the configuration (hand-kept in <see cref="ExperimentsFile"/>) close the page.
/// </summary>
public static class LearningOutcomeDoc
{
    /// <summary>The hand-kept log of side experiments, relative to the repository root.</summary>
    public const string ExperimentsFile = "bench/LearningOutcome/experiments.md";

    public static string Render(BenchResult result, string repo)
    {
        var c = result.Config;
        var s = new StringBuilder();
        s.AppendLine("# Learning outcome on the demo task");
        s.AppendLine();
        s.AppendLine("Does the pipeline actually learn? `bench/LearningOutcome` answers on the built-in demo task by driving the");
        s.AppendLine("real `rlhf-trainer` process through every step and measuring against the gold score, which the simulated");
        s.AppendLine("annotators only see through noise. Regenerate this page with");
        s.AppendLine();
        s.AppendLine("```");
        s.AppendLine("dotnet run -c Release --project bench/LearningOutcome -- --write-doc");
        s.AppendLine("```");
        s.AppendLine();
        s.AppendLine("## Method");
        s.AppendLine();
        var model = c.Sft["model"]!;
        var tokenizer = c.Tokenizer == "words" ? Inv($"`words` tokenizer: bytes plus the corpus's {c.VocabWords} most frequent words") : Inv($"`{c.Tokenizer}` tokenizer");
        s.AppendLine(Inv($"1. `sft`: a GPT ({model["n_layer"]} layers, {model["n_head"]} heads, width {model["n_embd"]}, context {model["n_positions"]}; {tokenizer}) trained for {c.SftSteps} steps on the first {c.CorpusChars:N0} characters of the corpus (`{result.Data}`; all of it when shorter),"));
        s.AppendLine(Inv($"   documents split by `{c.Sft["documentSplit"]}` (each followed by EOS), so that a completion of a sentence opening can end with EOS after the sentence."));
        s.AppendLine(Inv($"2. `sample`: K = {c.K} completions ({c.MaxNewTokens} tokens max) for each of {c.LabelPrompts} training prompts."));
        s.AppendLine("3. Simulated annotators rank each prompt's K completions by Plackett–Luce over exp(gold / T) (Bradley–Terry for every pair when K = 2);");
        s.AppendLine(Inv($"   T is calibrated with `AnnotatorCalibration` so two independent annotators agree on {c.TargetAgreement:P0} of pairs. Each prompt gives C(K,2) preference lines sharing one ranking."));
        s.AppendLine("4. `reward`: reward model from the SFT policy, K-wise groups as one batch element, held-out prompts by hash of the prompt id.");
        s.AppendLine("   The **ceiling** is the share of the same held-out labels that agree with the gold order: no reward model can beat it on average.");
        s.AppendLine("   One scoring convention everywhere (`RewardModel.SampledBatch`): the reward model reads prompt + response + EOS, the text it was trained on;");
        s.AppendLine(c.Ppo["missingEosPenalty"] is null
            ? "   a sampled response that hit the token limit gets EOS appended for scoring (PPO and evaluate alike); truncation is not priced (no `missingEosPenalty`)."
            : "   a sampled response that hit the token limit gets EOS appended for scoring (PPO and evaluate alike), and PPO prices the truncation with `missingEosPenalty`.");
        s.AppendLine(Inv($"5. `ppo` ({c.PpoIterations} iterations of {c.Ppo["rolloutBatchSize"]} rollouts on {c.PpoPrompts} other training prompts, adaptive KL: target {c.Ppo["klTarget"]} nats, horizon {c.Ppo["klHorizon"] ?? "default"})"));
        s.AppendLine(Inv($"   and `dpo` (β {c.Dpo["beta"]}, {c.DpoEpochs} epoch(s) on the same preferences), both from the SFT policy; the two chains run side by side."));
        s.AppendLine(Inv($"6. `evaluate`: {c.EvalPrompts} held-out prompts × 4 samples from each trained policy and from SFT with the same seeds; gold, RM reward, KL(policy ‖ SFT) on the policy's samples, win rate by gold."));
        s.AppendLine();
        s.AppendLine("Targets (from the issue): RM held-out accuracy ≥ 95 % of the ceiling; PPO and DPO each raise mean gold by ≥ 1 SD of the SFT samples' gold at KL ≤ 10 nats; the whole benchmark ≤ 20 min on 2 CPU cores.");
        s.AppendLine();
        s.AppendLine(WhatChanged);
        s.AppendLine();
        s.AppendLine(Inv($"## Results (measured {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores visible, trainer threads {c.Threads})"));
        s.AppendLine();
        s.AppendLine(result.Table());
        s.AppendLine("## Raw figures");
        s.AppendLine();
        s.AppendLine("```json");
        s.AppendLine(JsonSerializer.Serialize(result with { PpoCurve = [] }, JsonDefaults.Indented));
        s.AppendLine("```");
        s.AppendLine();
        s.Append(File.ReadAllText(Path.Combine(repo, ExperimentsFile)));
        return s.ToString();
    }

    /// <summary>Why the configuration differs from the previous measurement (issue 2); each value's reason is also on it in BenchConfig.cs.</summary>
    private const string WhatChanged = """
        ## What changed and why

        The previous measurement (byte-level GPT on the corpus's first 2,000,000 characters, 4000 labeled prompts, 48-byte
        completions) reached 88.2 % of the ceiling, PPO +0.94 SD at KL 7.7 and DPO +0.82 SD at KL 8.6. The reward model was the
        bottleneck, and not for lack of capacity: a bag-of-words logistic regression on the same labels reached 93.6 % of the
        ceiling, because the gold score is made of word lists that a small byte-level model cannot learn to recognise. So:
        the models use the new `words` tokenizer (bytes plus the corpus's 4096 most frequent words; completions of 24 tokens,
        about 70 characters); SFT reads the whole corpus (12 million characters, under one epoch in the same 3000 steps,
        instead of four epochs of 2 million); the annotators label 12,000 prompts instead of 4000, since after the tokenizer
        the RM gains about a point of accuracy per doubling of labels, and the RM trains 2 epochs (its held-out loss rose in
        a third). DPO now batches by prompt — a ranking's six pairs share four completions, computed once — which made an
        epoch 3× cheaper; with fewer, larger steps it uses lr 2e-4 and 8 prompts (48 pairs) per step. PPO is unchanged.
        The table below is one seed; with every job's seed set to 2 instead, PPO again cleared its target (+1.21 SD) but
        DPO fell just short (+0.95 SD) and the RM reached 92.9 % of the ceiling (details in the last section).
        The side experiments behind each choice are listed at the end of this page.
        """;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
