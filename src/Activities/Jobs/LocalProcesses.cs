using System.Diagnostics;

namespace Rlhf.Activities.Jobs;

/// <summary>Finding and stopping a recorded trainer process on this machine (one this host may not have started).</summary>
internal static class LocalProcesses
{
    /// <summary>The recorded process, if it still runs (same pid and start time, not a zombie); null otherwise.</summary>
    public static Process? FindAlive(JobProcessRecord record) => FindAlive(record.ProcessId, record.StartedUtc);

    /// <summary>Whether the worker process <paramref name="worker"/> (of this pid scope) still runs.</summary>
    public static bool IsAlive(WorkerRef worker)
    {
        using var process = FindAlive(worker.ProcessId, worker.StartedUtc);
        return process is not null;
    }

    /// <summary>Process <paramref name="processId"/>, if it runs and started at <paramref name="startedUtc"/> (not a reused pid); null otherwise.</summary>
    public static Process? FindAlive(int processId, DateTimeOffset startedUtc)
    {
        try
        {
            var process = Process.GetProcessById(processId);
            if (!HasExited(process) && (process.StartTime.ToUniversalTime() - startedUtc.UtcDateTime).Duration() < TimeSpan.FromSeconds(2))
            {
                return process;
            }

            process.Dispose();
        }
        catch (ArgumentException)
        {
            // no such process
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }

        return null;
    }

    public static void Kill(Process? process)
    {
        try
        {
            process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    /// <summary>
    /// <see cref="Process.HasExited"/> for a process this runner did not start only checks that its pid exists, which
    /// a zombie's does (exited, not yet reaped by its parent): on Linux, a zombie (Z) or dead (X) state counts as exited.
    /// </summary>
    private static bool HasExited(Process process) =>
        process.HasExited || (OperatingSystem.IsLinux() && LinuxState(process.Id) is null or 'Z' or 'X');

    /// <summary>The state letter of <c>/proc/{pid}/stat</c> (<c>"{pid} ({comm}) {state} ..."</c>), or null when the process is gone.</summary>
    private static char? LinuxState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var endOfComm = stat.LastIndexOf(')'); // comm may itself contain spaces and parentheses
            return endOfComm >= 0 && endOfComm + 2 < stat.Length ? stat[endOfComm + 2] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
