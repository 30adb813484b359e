using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Rlhf.EndToEnd.Tests.Support;

/// <summary>
/// Hard kills and liveness checks by process id through <c>/proc</c> (Linux): what a crash of the host or of a
/// trainer looks like to the rest of the system. A zombie (killed but not yet reaped, e.g. an orphan whose new
/// parent does not reap) counts as gone.
/// </summary>
internal static class Processes
{
    private const int SigKill = 9;

    /// <summary>True while <c>/proc/{pid}</c> exists and is not a zombie.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) S ...": the state follows the last ')'.
            var state = stat[stat.LastIndexOf(')') + 2];
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The process's command line (arguments joined by spaces), or empty when it is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>Running processes whose command line contains <paramref name="fragment"/>.</summary>
    public static IReadOnlyList<int> FindByCommandLine(string fragment)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && CommandLine(pid).Contains(fragment, StringComparison.Ordinal)
                && IsRunning(pid))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>SIGKILL (kill -9), then waits until the process is really gone; falls back to <c>/bin/kill -9</c>.</summary>
    public static async Task KillHardAsync(int pid, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        _ = Kill(pid, SigKill);
        var fallbackAt = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Process {pid} ({CommandLine(pid)}) is still running after SIGKILL and /bin/kill -9.");
            }

            if (DateTime.UtcNow > fallbackAt)
            {
                using var kill = Process.Start("/bin/kill", ["-9", pid.ToString(CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                fallbackAt = DateTime.MaxValue;
            }

            await Task.Delay(20);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
