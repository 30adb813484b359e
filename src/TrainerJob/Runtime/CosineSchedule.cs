namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// Learning rate as a pure function of the step (so a resumed job needs no scheduler state): linear warmup
/// from <c>maxLr/warmup</c> to <paramref name="MaxLr"/> over <paramref name="WarmupSteps"/>, then cosine decay to
/// <paramref name="MinLr"/> at <paramref name="TotalSteps"/> (nanoGPT's schedule).
/// </summary>
public sealed record CosineSchedule(double MaxLr, double MinLr, long WarmupSteps, long TotalSteps)
{
    /// <summary>The rate for optimiser step <paramref name="step"/> (1-based: the first update is step 1).</summary>
    public double At(long step)
    {
        if (step <= WarmupSteps)
        {
            return MaxLr * step / Math.Max(1, WarmupSteps);
        }

        if (step >= TotalSteps)
        {
            return MinLr;
        }

        var progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps); // in (0, 1)
        return MinLr + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (MaxLr - MinLr);
    }
}
