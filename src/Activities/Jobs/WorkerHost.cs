using System.Globalization;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// This worker process as the job records name it, and the rule for when a recorded process id means anything to it.
/// <para><see cref="Name"/> names the host for people and logs: the App Service / Functions instance
/// (<c>WEBSITE_INSTANCE_ID</c>) or the machine, and the worker's own pid, since several workers (two <c>rlhf serve</c> on
/// one task hub, a Function App scaled out) may share a machine name.</para>
/// <para><see cref="PidScope"/> decides whether a pid is visible: a pid is only meaningful to processes of the same kernel
/// boot and the same PID namespace. On Linux that is exactly <c>/proc/sys/kernel/random/boot_id</c> plus the inode of
/// <c>/proc/self/ns/pid</c>. The machine name is neither needed nor enough: two workers on one machine share it and do see
/// each other's pids (so one may adopt, judge and stop the other's trainer), while containers on one node may share a
/// host name and still not see each other's pids. Elsewhere the scope falls back to instance id + machine name.</para>
/// <para>A record whose scope differs is never judged by its pid: its heartbeat decides (<see cref="ArtifactJobStatus"/>).
/// In the same scope, the worker that started a process is itself visible (<see cref="ProcessId"/> and
/// <see cref="StartedUtc"/>), so another worker can tell "its starter still watches it" from "its starter died".</para>
/// </summary>
public sealed record WorkerHost(string Name, string PidScope, int ProcessId, DateTimeOffset StartedUtc)
{
    private static readonly Lazy<WorkerHost> Detected = new(Detect);

    /// <summary>This process.</summary>
    public static WorkerHost Current => Detected.Value;

    /// <summary>Whether a pid recorded in <paramref name="pidScope"/> is one this worker can look up.</summary>
    public bool SeesProcessesOf(string pidScope) => string.Equals(pidScope, PidScope, StringComparison.Ordinal);

    private static WorkerHost Detect()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var instance = Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") is { Length: > 0 } id ? id : null;
        var machine = instance ?? Environment.MachineName;
        var scope = OperatingSystem.IsLinux() && LinuxPidScope() is { } linux ? linux : $"{machine}/{Environment.MachineName}";
        return new WorkerHost(
            $"{machine}#{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}",
            scope,
            Environment.ProcessId,
            self.StartTime.ToUniversalTime());
    }

    /// <summary><c>{boot id}/{pid namespace}</c>, e.g. <c>5c1e…/pid:[4026531836]</c>; null when /proc does not tell.</summary>
    private static string? LinuxPidScope()
    {
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var pidNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget;
            return boot.Length > 0 && pidNamespace is { Length: > 0 } ? $"{boot}/{pidNamespace}" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
