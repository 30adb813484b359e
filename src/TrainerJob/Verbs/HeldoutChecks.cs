using System.Text.Json;
using Rlhf.Core.Demo;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>The held-out check's state in a critic-free checkpoint (PPO keeps the same fields in <see cref="PpoCheckpointState"/>).</summary>
public sealed record HeldoutCheckpointState(IReadOnlyList<HeldoutPoint>? Heldout, long? KeptIteration);

/// <summary>
/// How the online verbs (<see cref="PpoVerb"/>, <see cref="CriticFreeRun"/>) run <see cref="HeldoutCheck"/> from their
/// <see cref="HeldoutCheckedConfig"/>: the check and the frozen copy it keeps, when it is due, and its log at the end.
/// </summary>
internal static class HeldoutChecks
{
    public const string Input = JobInputs.HeldOut;

    /// <summary>Checks the verb's inputs: <c>inputs.heldout</c> with checks on, and the lexicons a gold choice reads.</summary>
    public static void RequireInputs(JobSpec spec, HeldoutCheckedConfig settings)
    {
        JobSpecException.Require(settings.HeldoutEvery == 0 || JobParams.OptionalInput(spec, Input) is not null, "inputs.heldout", "is required when params.heldoutEvery > 0");
        JobSpecException.Require(settings.HeldoutEvery == 0 || settings.KeepBest != KeepBest.Gold || JobParams.OptionalInput(spec, JobInputs.Lexicons) is not null,
            "inputs.lexicons", "is required when params.keepBest is gold (the gold scorer reads them)");
    }

    /// <summary>
    /// The check, or null when <c>params.heldoutEvery</c> is 0. Its kept model starts as the input policy (check 0 is the
    /// reference) and travels with the checkpoints, so a resumed run keeps the same best.
    /// </summary>
    public static async Task<HeldoutCheck?> StartAsync(
        JobContext context, HeldoutCheckedConfig settings, string policyFolder, Gpt reference, RewardModel rewardModel, GoldScorer? gold,
        ITokenizer tokenizer, SamplingOptions sampling, int maxPromptTokens, CancellationToken cancellationToken)
    {
        if (settings.HeldoutEvery == 0)
        {
            return null;
        }

        var prompts = SampleVerb.ReadPrompts(await context.StageInputAsync(Input, cancellationToken).ConfigureAwait(false))
            .TakeLast(settings.HeldoutPrompts).Select(p => p.Prompt).ToList();
        var kept = Frozen.Freeze(ModelIO.Load(policyFolder, context.Device).Model);
        context.Checkpoints.Track("kept", kept);
        return new HeldoutCheck(kept, reference, rewardModel, gold, tokenizer, prompts, sampling, maxPromptTokens, settings.KeepBest, settings.HeldoutMaxKl,
            settings.HeldoutMinDistinctRatio, settings.HeldoutSamplesPerPrompt, (ulong)context.Spec.Seed ^ 0x9E3779B97F4A7C15UL);
    }

    /// <summary>Due every <c>heldoutEvery</c> iterations and after the last.</summary>
    public static bool IsDue(HeldoutCheckedConfig settings, long iteration, int iterations) =>
        settings.HeldoutEvery > 0 && (iteration % settings.HeldoutEvery == 0 || iteration == iterations);

    /// <summary>Logs the kept check and writes <c>{output}/heldout.json</c>.</summary>
    public static async Task FinishAsync(JobContext context, HeldoutCheck check, HeldoutCheckedConfig settings, CancellationToken cancellationToken)
    {
        var kept = check.Kept!;
        context.Log($"held-out checks: kept iteration {kept.Iteration} by {settings.KeepBest} (KL {kept.Kl:F2}, reward {kept.Reward:F3}, distinct {kept.DistinctRatio:F2} of the reference's{(kept.Gold is { } g ? $", gold {g:F3}" : "")})");
        var log = new HeldoutLog(settings.KeepBest.ToString().ToLowerInvariant(), settings.HeldoutMaxKl, check.Points, kept.Iteration, settings.HeldoutMinDistinctRatio);
        await context.WriteOutputAsync(HeldoutLog.FileName, JsonSerializer.SerializeToUtf8Bytes(log, JsonDefaults.Indented), cancellationToken).ConfigureAwait(false);
    }
}
