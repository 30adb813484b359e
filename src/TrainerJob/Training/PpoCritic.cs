using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// The PPO value function V(s_t): its own GPT trunk and a <see cref="ScalarHead"/>, both initialised from the reward
/// model (as TRL and OpenRLHF initialise their critic). Why a separate critic rather than a value head on the policy
/// trunk: the reward model's score head was trained on the reward model's hidden states, so it is only a meaningful
/// initial value function on that trunk; and the value loss then cannot pull the policy's features away from language
/// modelling. The cost is one more trunk forward/backward per minibatch, small for our models.
/// With score normalisation on, the head is rescaled so V starts in the units of the normalised reward:
/// <c>w' = w / std, b' = (b − mean) / std</c>.
/// Parameter names: <c>trunk.*</c> (GPT-2 keys) and <c>value_head.weight|bias</c>.
/// </summary>
public sealed class PpoCritic : nn.Module
{
    public const string HeadName = "value";

    private readonly Gpt trunk;
    private readonly ScalarHead value_head;

    public PpoCritic(Gpt trunk, ScalarHead valueHead) : base(nameof(PpoCritic))
    {
        this.trunk = trunk;
        value_head = valueHead;
        RegisterComponents();
    }

    public Gpt Trunk => trunk;

    public ScalarHead Head => value_head;

    /// <summary>A critic from a reward model's trunk and score head, the head mapped to normalised-reward units when <paramref name="scoreStats"/> is given.</summary>
    public static PpoCritic FromRewardModel(Gpt trunk, ScalarHead scoreHead, (double Mean, double Std)? scoreStats)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        ArgumentNullException.ThrowIfNull(scoreHead);
        var head = new ScalarHead(trunk.Config.NEmbd, trunk.Device);
        using (no_grad())
        {
            head.Weight.copy_(scoreHead.Weight);
            head.Bias.copy_(scoreHead.Bias);
            if (scoreStats is var (mean, std))
            {
                head.Weight.div_(std);
                head.Bias.sub_(mean).div_(std);
            }
        }

        return new PpoCritic(trunk, head);
    }

    /// <summary>V(s_t) before every response token: tokens, mask (B, P + N) → (B, N).</summary>
    public Tensor Values(Tensor tokens, Tensor attentionMask, int promptLength) =>
        value_head.forward(RolloutForward.ResponseHidden(trunk, tokens, attentionMask, promptLength));

    /// <summary>Writes a model folder (trunk) with the head as <c>value.safetensors</c> beside it.</summary>
    public void Save(string folder, ITokenizer tokenizer)
    {
        ModelIO.Save(folder, trunk, tokenizer);
        ModelIO.SaveHead(folder, HeadName, value_head);
    }
}
