using TorchSharp;
using TorchSharp.Modules;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>AdamW the way GPT training uses it: weight decay on matrices (dim ≥ 2: linear and embedding weights) only, not on biases and LayerNorm gains.</summary>
public static class AdamWFactory
{
    /// <summary>Two parameter groups (decayed, not decayed) over the trainable parameters of <paramref name="modules"/>, in registration order.</summary>
    public static AdamW Create(IEnumerable<torch.nn.Module> modules, double learningRate, double beta1, double beta2, double weightDecay, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var parameters = modules.SelectMany(m => m.parameters()).Where(p => p.requires_grad).ToList();
        var decay = parameters.Where(p => p.dim() >= 2).ToList();
        var noDecay = parameters.Where(p => p.dim() < 2).ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(decay, new AdamW.Options { LearningRate = learningRate, beta1 = beta1, beta2 = beta2, weight_decay = weightDecay, eps = eps }),
        };
        if (noDecay.Count > 0)
        {
            groups.Add(new(noDecay, new AdamW.Options { LearningRate = learningRate, beta1 = beta1, beta2 = beta2, weight_decay = 0.0, eps = eps }));
        }

        return torch.optim.AdamW(groups, learningRate, beta1, beta2, eps, weightDecay);
    }

    /// <summary>Sets every group's learning rate (call before <c>step()</c> with the schedule's value).</summary>
    public static void SetLearningRate(torch.optim.Optimizer optimizer, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }
}
