using TorchSharp;

namespace Rlhf.TrainerJob.Model;

/// <summary>Frozen models: the reference policy and the reward model of the RL verbs.</summary>
public static class Frozen
{
    /// <summary>Eval mode (no dropout) and no gradients for every parameter; returns the model.</summary>
    public static T Freeze<T>(T model)
        where T : torch.nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        model.eval();
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = false;
        }

        return model;
    }
}
