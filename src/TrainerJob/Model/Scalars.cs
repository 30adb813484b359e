using TorchSharp;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Process-lifetime native scalars for the model's hot paths. TorchSharp turns a .NET number passed where a
/// <see cref="Scalar"/> is expected (including the hidden <c>alpha = 1</c> of <c>Tensor.add(Tensor)</c> and the tensor
/// <c>+</c> operator) into a native scalar that only its finalizer releases, and the finalizer thread can free it while
/// libtorch is still reading it (dotnet/TorchSharp#1434). Seen here once in a long evaluate job as
/// <c>Expected false to be true … toFloat</c> from <c>Conv1D.forward</c>'s bias add. A static scalar is never finalized;
/// a per-call value is held in a <c>using</c> variable across the call instead.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();

    public static readonly Scalar Zero = 0.ToScalar();

    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
}
