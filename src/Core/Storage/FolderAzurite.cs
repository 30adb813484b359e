using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Rlhf.Core.Storage;

/// <summary>
/// A data folder's own Azurite: started detached (its own session, output to <c>azurite.log</c>, no watchdog), so it
/// outlives a crashed <c>serve</c>, and recorded in <c>azurite.pid.json</c> next to its data. The next start reuses it
/// only when that recorded process is alive, is Azurite over this folder and answers on all three services; while it
/// is alive but not answering (starting, or stopping and saving its metadata) the start waits, and never starts a
/// second emulator over the same files. Stopped gracefully (SIGTERM, waited for) by <see cref="StopAsync"/>.
/// <para>
/// Why (docs/durability.md): Azurite keeps queue and table metadata in LokiJS databases that it saves every 5 s and
/// on a graceful close, after it stops listening. An emulator stopped with its host, then replaced by a new one that
/// loads the database files before the old one has saved them, loses the last seconds of queue writes: an enqueued
/// timer message is gone, a deleted one is back.
/// </para>
/// </summary>
public static class FolderAzurite
{
    /// <summary>The record of the folder's Azurite, in its data folder.</summary>
    public const string PidFileName = "azurite.pid.json";

    private const string LockFileName = "azurite.lock";
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>
    /// How long a stop waits before it kills (and so loses the unsaved metadata): a stopping Azurite no longer answers
    /// but waits for requests already sent on open connections until their clients time out (measured 12-30 s under load).
    /// </summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(120);

    /// <summary>True where a detached, folder-owned Azurite is supported (Linux and macOS); elsewhere use <see cref="Azurite.StartAsync"/>.</summary>
    public static bool IsSupported => !OperatingSystem.IsWindows();

    /// <summary>
    /// Reuses the healthy Azurite of <see cref="AzuriteOptions.Location"/>, waits out one that is starting or stopping,
    /// or starts one detached on <see cref="AzuriteOptions.BlobPort"/>. Disposing the result stops it.
    /// </summary>
    public static async Task<Azurite> StartAsync(AzuriteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = Path.GetFullPath(options.Location ?? throw new ArgumentException("A folder-owned Azurite needs a Location.", nameof(options)));
        Directory.CreateDirectory(folder);
        await using var folderLock = await LockAsync(folder, options.StartTimeout, cancellationToken).ConfigureAwait(false);

        if (ReadRecord(folder) is { } recorded && IsFolderAzurite(recorded, folder))
        {
            var what = $"the Azurite of {folder} (pid {recorded.ProcessId})";
            if (await Azurite.WaitUntilReadyAsync(recorded.BlobPort, options.StartTimeout, () => !IsAlive(recorded.ProcessId), what, cancellationToken).ConfigureAwait(false))
            {
                return new Azurite(recorded.BlobPort, recorded.Binary, LogFile(folder), folder);
            }
        }

        // No emulator over these files any more: a fresh one may load them.
        await WaitForPortsFreeAsync(options.BlobPort, options.StartTimeout, cancellationToken).ConfigureAwait(false);
        var binary = options.Binary ?? AzuriteBinary.Find(options.SearchFrom);
        var record = StartDetached(binary, options with { Location = folder }, LogFile(folder));
        WriteRecord(folder, record);
        var started = new Azurite(options.BlobPort, binary, LogFile(folder), folder);
        try
        {
            var ready = await Azurite.WaitUntilReadyAsync(
                options.BlobPort, options.StartTimeout, () => !IsAlive(record.ProcessId), $"Azurite '{binary}' (log: {LogFile(folder)})", cancellationToken).ConfigureAwait(false);
            return ready
                ? started
                : throw new InvalidOperationException($"Azurite '{binary}' exited before accepting requests on port {options.BlobPort}. {LogTail(folder)}");
        }
        catch
        {
            await StopAsync(folder).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the folder's recorded Azurite gracefully (SIGTERM, so it saves its metadata) and waits until it is gone.</summary>
    public static async Task StopAsync(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (ReadRecord(folder) is not { } record || !IsFolderAzurite(record, folder))
        {
            return;
        }

        _ = Kill(record.ProcessId, SigTerm);
        var deadline = DateTime.UtcNow + StopTimeout;
        while (IsAlive(record.ProcessId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        if (IsAlive(record.ProcessId))
        {
            _ = Kill(record.ProcessId, SigKill);
        }

        File.Delete(Path.Combine(folder, PidFileName));
    }

    /// <summary>The recorded Azurite's process id when it is alive and belongs to <paramref name="folder"/>, else null.</summary>
    public static int? RunningProcessId(string folder)
    {
        folder = Path.GetFullPath(folder);
        return ReadRecord(folder) is { } record && IsFolderAzurite(record, folder) ? record.ProcessId : null;
    }

    /// <summary>The <c>azurite.log</c> the folder's Azurite appends to.</summary>
    public static string LogFile(string folder) => Path.Combine(Path.GetFullPath(folder), "azurite.log");

    /// <summary>
    /// <c>/bin/sh -c 'exec setsid azurite … &gt;&gt;log 2&gt;&amp;1 &lt;/dev/null'</c>: the same process id throughout, its own
    /// session (a terminal's Ctrl+C and the host's death do not reach it), no pipe to a host that can die.
    /// </summary>
    private static AzuriteRecord StartDetached(string binary, AzuriteOptions options, string logFile)
    {
        File.AppendAllText(logFile, $"=== rlhf: starting Azurite for {options.Location} on port {options.BlobPort} at {DateTime.UtcNow:O}{Environment.NewLine}");
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = options.Location };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("if command -v setsid >/dev/null 2>&1; then exec setsid \"$0\" \"$@\" </dev/null >>\"$RLHF_AZURITE_LOG\" 2>&1; "
            + "else exec \"$0\" \"$@\" </dev/null >>\"$RLHF_AZURITE_LOG\" 2>&1; fi");
        info.ArgumentList.Add(binary);
        foreach (var argument in Azurite.Arguments(options))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["RLHF_AZURITE_LOG"] = logFile;
        info.Environment.Remove("NODE_OPTIONS");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start Azurite '{binary}'.");
        return new AzuriteRecord(process.Id, options.BlobPort, binary, DateTime.UtcNow);
    }

    private static async Task WaitForPortsFreeAsync(int blobPort, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Enumerable.Range(blobPort, 3).FirstOrDefault(Azurite.IsListening) is var busy && busy != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"Port {busy} is in use by a process that is not this data folder's Azurite; choose other ports (--azurite-port) or pass that storage with --storage.");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One starter per folder at a time (an exclusive lock on <c>azurite.lock</c>, released on dispose).</summary>
    private static async Task<FileStream> LockAsync(string folder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(Path.Combine(folder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static AzuriteRecord? ReadRecord(string folder)
    {
        var file = Path.Combine(folder, PidFileName);
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize<AzuriteRecord>(File.ReadAllText(file)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteRecord(string folder, AzuriteRecord record)
    {
        var file = Path.Combine(folder, PidFileName);
        var temp = $"{file}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(record));
        File.Move(temp, file, overwrite: true);
    }

    /// <summary>Alive, and (where <c>/proc</c> tells) an Azurite started over this very folder, not a recycled process id.</summary>
    private static bool IsFolderAzurite(AzuriteRecord record, string folder)
    {
        if (!IsAlive(record.ProcessId))
        {
            return false;
        }

        var cmdline = $"/proc/{record.ProcessId}/cmdline";
        if (!File.Exists(cmdline))
        {
            return !OperatingSystem.IsLinux();
        }

        try
        {
            var arguments = File.ReadAllText(cmdline).Split('\0');
            var at = Array.IndexOf(arguments, "--location");
            return arguments.Any(a => a.Contains("azurite", StringComparison.OrdinalIgnoreCase)) && at >= 0 && at + 1 < arguments.Length && arguments[at + 1] == folder;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The process exists and is not a zombie.</summary>
    private static bool IsAlive(int pid)
    {
        if (Kill(pid, 0) != 0)
        {
            return false;
        }

        try
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
            {
                return !OperatingSystem.IsLinux();
            }

            var text = File.ReadAllText(stat);
            return text[text.LastIndexOf(')') + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string LogTail(string folder)
    {
        var file = LogFile(folder);
        return File.Exists(file)
            ? $"Last lines of {file}:{Environment.NewLine}{string.Join(Environment.NewLine, File.ReadAllLines(file).TakeLast(20))}"
            : string.Empty;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private sealed record AzuriteRecord(int ProcessId, int BlobPort, string Binary, DateTime StartedUtc);
}
