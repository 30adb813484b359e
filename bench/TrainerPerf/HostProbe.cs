using System.Diagnostics;
using System.Globalization;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>Resident memory of this process at one point of the PPO loop, in MiB.</summary>
/// <param name="Iteration">PPO iterations done when sampled.</param>
/// <param name="VmRssMb"><c>VmRSS</c> from <c>/proc/self/status</c> (native libtorch memory included).</param>
/// <param name="WorkingSetMb"><see cref="Process.WorkingSet64"/> (the same figure as .NET sees it).</param>
/// <param name="ManagedMb">Managed heap (<see cref="GC.GetTotalMemory(bool)"/>, no collection forced).</param>
public sealed record MemorySample(int Iteration, double VmRssMb, double WorkingSetMb, double ManagedMb);

/// <summary>What the host is doing: load average and this process's memory.</summary>
public static class HostProbe
{
    private const double MiB = 1024.0 * 1024.0;

    /// <summary>1-, 5- and 15-minute load averages from <c>/proc/loadavg</c> (empty where there is none).</summary>
    public static double[] LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path)
            ? [.. File.ReadAllText(path).Split(' ').Take(3).Select(s => double.Parse(s, CultureInfo.InvariantCulture))]
            : [];
    }

    public static MemorySample Memory(int iteration)
    {
        using var process = Process.GetCurrentProcess();
        return new MemorySample(iteration, VmRssMb(), process.WorkingSet64 / MiB, GC.GetTotalMemory(forceFullCollection: false) / MiB);
    }

    /// <summary><c>VmRSS</c> of this process in MiB; falls back to the working set off Linux.</summary>
    private static double VmRssMb()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64 / MiB;
        }

        var line = File.ReadLines(path).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)); // "VmRSS:   123456 kB"
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
