using Rlhf.Core.Jobs;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>Applies the spec's libtorch settings: intra-op threads, device, and the seed of libtorch's default generator.</summary>
public static class TorchRuntime
{
    /// <summary>Configures libtorch for <paramref name="spec"/> and returns its device; throws <see cref="JobSpecException"/> for an unavailable CUDA device.</summary>
    public static Device Configure(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Threads > 0)
        {
            torch.set_num_threads(spec.Threads);
        }

        if (spec.Device.StartsWith("cuda", StringComparison.Ordinal))
        {
            JobSpecException.Require(
                torch.cuda.is_available(),
                "device",
                $"is '{spec.Device}' but CUDA is not available in this process (libtorch build without CUDA, no driver, or no GPU visible); use 'cpu' or run on a GPU node");
            var device = new Device(spec.Device);
            JobSpecException.Require(device.index < torch.cuda.device_count(), "device", $"is '{spec.Device}' but only {torch.cuda.device_count()} CUDA device(s) are visible");
        }

        // Weight init and dropout draw from libtorch's default generator; checkpoints save and restore it.
        torch.random.manual_seed(spec.Seed);
        return new Device(spec.Device);
    }
}
