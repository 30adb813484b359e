using System.Diagnostics;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// How <see cref="LocalJobRunner"/> starts a trainer so that it outlives its host: <c>sh -c 'exec setsid "$@" &lt;/dev/null
/// &gt;LOG 2&gt;&amp;1'</c>. The trainer's stdin is <c>/dev/null</c> and its stdout and stderr go straight to the attempt's log
/// file, so no pipe of the host is left to break when the host dies; <c>setsid</c> gives it its own session and process
/// group, so a signal to the host's group (Ctrl+C in a terminal, a supervisor stopping the host) does not reach it.
/// Both <c>exec</c>s keep the process id, so the host still waits on (and reads the exit code of) the trainer itself.
/// Without <c>setsid</c> (not Linux) the trainer still writes to its file, in the host's process group.
/// </summary>
internal static class TrainerLaunch
{
    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    /// <summary>The start info of <paramref name="command"/> (program, then arguments) writing to <paramref name="logFile"/>.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> command, string logFile)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"log=$1; shift; exec {(Setsid is null ? "" : $"{Setsid} ")}\"$@\" </dev/null >\"$log\" 2>&1");
        info.ArgumentList.Add("rlhf-job");
        info.ArgumentList.Add(logFile);
        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>The last line of <paramref name="logFile"/> the trainer wrote as an error (<c>rlhf-trainer: ...</c>), if any.</summary>
    public static string? LastErrorLine(string logFile)
    {
        try
        {
            return File.ReadLines(logFile).LastOrDefault(l => l.StartsWith("rlhf-trainer:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
