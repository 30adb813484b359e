using System.Globalization;
using System.Text;
using System.Text.Json;
using Rlhf.Core.Json;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>
/// Renders docs/learning-outcome.md from a <see cref="BenchResult"/>: the method is fixed text, the figures are measured,
/// and Constitutional AI's trade-off (<see cref="TradeOffFile"/>, when measured) and the side experiments behind the
/// configuration (hand-kept in <see cref="ExperimentsFile"/>) close the page.
/// </summary>
public static class LearningOutcomeDoc
{
    /// <summary>The hand-kept log of side experiments, relative to the repository root.</summary>
    public const string ExperimentsFile = "bench/LearningOutcome/experiments.md";

    /// <summary>Constitutional AI's helpfulness/harmlessness trade-off as `bench/ConstitutionalAi` last measured it (issue 12), relative to the repository root.</summary>
    public const string TradeOffFile = "bench/ConstitutionalAi/tradeoff.md";

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
        s.AppendLine(Inv($"2. `sample`: K = {c.K} completions ({c.MaxNewTokens} tokens max) for each of {c.LabelPrompts} training prompts, as {c.SampleShards} shard jobs side by side (a prompt's completions do not depend on the sharding)."));
        s.AppendLine("3. Simulated annotators rank each prompt's K completions by Plackett–Luce over exp(gold / T) (Bradley–Terry for every pair when K = 2);");
        s.AppendLine(Inv($"   T is calibrated with `AnnotatorCalibration` so two independent annotators agree on {c.TargetAgreement:P0} of pairs. Each prompt gives C(K,2) preference lines sharing one ranking."));
        s.AppendLine("4. `reward`: reward model from the SFT policy, K-wise groups as one batch element, held-out prompts by hash of the prompt id.");
        s.AppendLine("   The **ceiling** is the share of the same held-out labels that agree with the gold order: no reward model can beat it on average.");
        s.AppendLine("   One scoring convention everywhere (`RewardModel.SampledBatch`): the reward model reads prompt + response + EOS, the text it was trained on;");
        s.AppendLine(c.Ppo["missingEosPenalty"] is null
            ? "   a sampled response that hit the token limit gets EOS appended for scoring (PPO and evaluate alike); truncation is not priced (no `missingEosPenalty`)."
            : "   a sampled response that hit the token limit gets EOS appended for scoring (PPO and evaluate alike), and PPO prices the truncation with `missingEosPenalty`.");
        s.AppendLine(Inv($"5. `ppo` ({c.PpoIterations} iterations of {c.Ppo["rolloutBatchSize"]} rollouts on {c.PpoPrompts} other training prompts, adaptive KL: target {c.Ppo["klTarget"]} nats, horizon {c.Ppo["klHorizon"] ?? "default"};"));
        s.AppendLine(Inv($"   a held-out check every {c.Ppo["heldoutEvery"]} iterations on {c.CheckPrompts} held-out prompts the evaluation does not use, keeping the check with the best RM score ({c.Ppo["keepBest"]}) within {c.Ppo["heldoutMaxKl"]} nats of held-out KL whose distinct-n, on {c.Ppo["heldoutSamplesPerPrompt"]} samples per check prompt, is at least {c.Ppo["heldoutMinDistinctRatio"]} of SFT's),"));
        s.AppendLine(Inv($"   `dpo` (β {c.Dpo["beta"]}, {c.DpoEpochs} epoch(s) on the same preferences), and the critic-free `grpo` (β {c.Grpo["beta"]}) and `rloo` (β {c.Rloo["beta"]}) at PPO's rollout size"));
        s.AppendLine(Inv($"   ({c.Grpo["promptsPerIteration"]} prompts × G {c.Grpo["numGenerations"]}, μ {c.Grpo["numIterations"]} passes, the same prompts; {c.CriticFreeIterations} iterations with PPO's held-out check every {c.CriticFreeCheckEvery}, keeping the best RM score within {c.Grpo["heldoutMaxKl"]} nats and the same distinct-n floor: with a fixed β and no KL controller the check is what holds their KL), all from the SFT policy; the chains run side by side."));
        s.AppendLine(Inv($"6. `evaluate`: {c.EvalPrompts} held-out prompts × 4 samples from each trained policy and from SFT with the same seeds; gold, RM reward, KL(policy ‖ SFT) on the policy's samples, win rate by gold, the alarms of docs/alarms.md."));
        s.AppendLine("   The same samples are also scored by the old gold (`GoldVersion.V1`, lexicons only) in the bench itself, so each row shows both golds.");
        s.AppendLine();
        s.AppendLine("The gold is `GoldVersion.V2`: the V1 lexicon terms credited by a Kneser–Ney fluency judge trained on held-out text (credit from the held-out median, squared below it, once for repeated text), plus the fluency and a completeness term; the words of an unfinished last sentence earn no fluency (see `GoldScorer`).");
        s.AppendLine();
        s.AppendLine("Targets (issues 11 and 14): RM held-out accuracy ≥ 95 % of the ceiling; PPO, DPO, GRPO and RLOO each raise mean gold by ≥ 1 SD of the SFT samples' gold at KL ≤ 10 nats with no alarm, and fluency and end-of-text fraction not below SFT's; the whole benchmark ≤ 20 min on 2 CPU cores.");
        s.AppendLine();
        s.AppendLine(WhatChanged);
        s.AppendLine();
        s.AppendLine(Inv($"## Results (measured {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores visible, trainer threads: {c.SoloThreads} for SFT and reward, {c.Threads} for each job run side by side)"));
        s.AppendLine();
        s.AppendLine(result.Table());
        if (result.Samples.Count > 0)
        {
            s.AppendLine("## Samples");
            s.AppendLine();
            s.AppendLine(result.SamplesTable());
        }

        s.AppendLine("## Raw figures");
        s.AppendLine();
        s.AppendLine("```json");
        s.AppendLine(JsonSerializer.Serialize(result with { PpoCurve = [], Samples = [] }, JsonDefaults.Indented));
        s.AppendLine("```");
        s.AppendLine();
        if (File.Exists(Path.Combine(repo, TradeOffFile)))
        {
            s.Append(File.ReadAllText(Path.Combine(repo, TradeOffFile)));
            s.AppendLine();
        }

        s.Append(File.ReadAllText(Path.Combine(repo, ExperimentsFile)));
        return s.ToString();
    }

    /// <summary>Why the configuration differs from the previous measurement (issue 2); each value's reason is also on it in BenchConfig.cs.</summary>
    private const string WhatChanged = """
        ## What changed and why

        The previous table (2026-11-30: RM 95.3 % of the ceiling, PPO +1.28 SD at KL 6.4, DPO +1.15 SD at KL 7.6) was measured
        with the V1 gold, a bag of words that salad of easy words and stopwords games: read as a person would, the tuned
        samples were partly better (fewer non-words) and partly salad. This measurement uses the revised V2 gold (issue 14),
        whose fluency judge was trained on text SFT never saw, adds GRPO and RLOO rows (issue 11), keeps PPO's best held-out
        check within a KL budget instead of its last iteration, and reports every policy's samples under both golds plus ten
        fixed-seed sample rows. SFT, sampling and the RM's settings are unchanged, so the labels differ from the previous
        table's only by the gold that ranks them.

        Under V2 the policies' KL budget is lower: about 3 nats instead of 7–10. At the old budget the first V2 run (same
        SFT, samples and RM) gained more gold (PPO +3.84 SD at KL 8.5, RLOO +3.39 SD at KL 18.3, DPO +1.71 SD at KL 10.1)
        but PPO, GRPO and RLOO wrote State-of-the-Union boilerplate ("by the Secretary of the United States.", "… of the United
        States of the United States."): fluent to an n-gram judge, complete sentences, and collapsed (PPO distinct-1 0.14
        against SFT's 0.34). The fluency judge rewards frequent phrases, and a per-sample gold cannot see that every sample
        says the same thing; the `distinct_collapse` and `reward_hacking_term` alarms did. At about 3 nats the samples keep
        the prompt's thread and lose most non-words (below). The first run's full table is in the experiments section.

        Since 2026-12-07 (second session) GRPO and RLOO run PPO's held-out checks (40 iterations, a check every 5, the best RM
        score within 4 nats: before, their iteration count, 20, was their only KL budget), every check refuses a vocabulary
        below 0.75 of SFT's, and `distinct_collapse` measures distinct-n over dictionary words at equal size on both sides
        (docs/alarms.md: SFT's non-words had counted as vocabulary, and longer answers as collapse). Measured the old way the
        same PPO, DPO and GRPO policies fired it (distinct-1 0.65–0.75 of SFT's); measured the new way they do not, while
        RLOO's kept check (iteration 25, 0.79 of SFT's distinct-n on the 64 check prompts × 4 samples) still fires it on the
        evaluation's 256 × 4 samples (distinct-2 0.73 of SFT's), with `reward_hacking_term` (degeneracy −0.03): its samples lean on "the
        United States". The full run took 17.7 min on the 2-core machine with another benchmark beside it (load 4.8); the
        table's time is the re-run that reused SFT, samples, RM and DPO.
        """;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
