using System.Globalization;
using System.Text;
using System.Text.Json;
using Rlhf.Core.Json;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>Renders docs/learning-outcome.md from a <see cref="BenchResult"/> (the method is fixed text, the figures are measured).</summary>
public static class LearningOutcomeDoc
{
    public static string Render(BenchResult result)
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
        s.AppendLine(Inv($"1. `sft`: a byte-level GPT ({model["n_layer"]} layers, {model["n_head"]} heads, width {model["n_embd"]}, context {model["n_positions"]}) trained for {c.SftSteps} steps on the first {c.CorpusChars:N0} characters of the corpus (`{result.Data}`),"));
        s.AppendLine(Inv($"   documents split by `{c.Sft["documentSplit"]}` (each followed by EOS), so that a completion of a sentence opening can end with EOS after the sentence."));
        s.AppendLine(Inv($"2. `sample`: K = {c.K} completions ({c.MaxNewTokens} tokens max) for each of {c.LabelPrompts} training prompts."));
        s.AppendLine("3. Simulated annotators rank each prompt's K completions by Plackett–Luce over exp(gold / T) (Bradley–Terry for every pair when K = 2);");
        s.AppendLine(Inv($"   T is calibrated with `AnnotatorCalibration` so two independent annotators agree on {c.TargetAgreement:P0} of pairs. Each prompt gives C(K,2) preference lines sharing one ranking."));
        s.AppendLine("4. `reward`: reward model from the SFT policy, K-wise groups as one batch element, held-out prompts by hash of the prompt id.");
        s.AppendLine("   The **ceiling** is the share of the same held-out labels that agree with the gold order: no reward model can beat it on average.");
        s.AppendLine("   One scoring convention everywhere (`RewardModel.SampledBatch`): the reward model reads prompt + response + EOS, the text it was trained on;");
        s.AppendLine("   a sampled response that hit the token limit gets EOS appended for scoring (PPO and evaluate alike), and PPO prices the truncation with `missingEosPenalty`.");
        s.AppendLine(Inv($"5. `ppo` ({c.PpoIterations} iterations on {c.PpoPrompts} other training prompts, adaptive KL) and `dpo` (on the same preferences), both from the SFT policy; the two chains run side by side."));
        s.AppendLine(Inv($"6. `evaluate`: {c.EvalPrompts} held-out prompts × 4 samples from each trained policy and from SFT with the same seeds; gold, RM reward, KL(policy ‖ SFT) on the policy's samples, win rate by gold."));
        s.AppendLine();
        s.AppendLine("Targets (from the issue): RM held-out accuracy ≥ 95 % of the ceiling; PPO and DPO each raise mean gold by ≥ 1 SD of the SFT samples' gold at KL ≤ 10 nats; the whole benchmark ≤ 20 min on 2 CPU cores.");
        s.AppendLine();
        s.AppendLine(Inv($"## Results (measured {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores visible, trainer threads {c.Threads})"));
        s.AppendLine();
        s.AppendLine(result.Table());
        s.AppendLine("## Raw figures");
        s.AppendLine();
        s.AppendLine("```json");
        s.AppendLine(JsonSerializer.Serialize(result with { PpoCurve = [] }, JsonDefaults.Indented));
        s.AppendLine("```");
        return s.ToString();
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
