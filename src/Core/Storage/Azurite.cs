using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Rlhf.Core.Storage;

/// <summary>
/// A running Azurite (local Azure Storage emulator): one this object started, which it stops with its whole process
/// tree on dispose; one that was already listening on the blob port, which it leaves alone; or a data folder's own
/// detached Azurite (<see cref="FolderAzurite"/>), which outlives its starter and is stopped gracefully on dispose.
/// Started with <c>--skipApiVersionCheck --disableTelemetry --loose</c> on 127.0.0.1 (DESIGN §8).
/// </summary>
public sealed class Azurite : IAsyncDisposable, IDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's public, well-known development key (documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    private const int SigTerm = 15;

    private readonly Process? _process;
    private readonly TextWriter? _log;
    private readonly bool _persistent;
    private readonly string? _folder;

    private Azurite(int blobPort, string? binary, string? logFile, Process? process, TextWriter? log, bool persistent = false)
    {
        BlobPort = blobPort;
        Binary = binary;
        LogFile = logFile;
        _process = process;
        _log = log;
        _persistent = persistent;
    }

    /// <summary>A data folder's detached Azurite: <see cref="DisposeAsync"/> stops it with <see cref="FolderAzurite.StopAsync"/>.</summary>
    internal Azurite(int blobPort, string? binary, string logFile, string folder)
        : this(blobPort, binary, logFile, process: null, log: null) => _folder = folder;

    public int BlobPort { get; }

    /// <summary>The executable this object started, or null when it reused a running Azurite.</summary>
    public string? Binary { get; }

    /// <summary>Azurite's console output, when this object started it.</summary>
    public string? LogFile { get; }

    /// <summary>True when this object started Azurite and will stop it on dispose.</summary>
    public bool OwnsProcess => _process is not null || _folder is not null;

    /// <summary><c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri BlobServiceUri => ServiceUri(BlobPort);

    /// <summary>A connection string with explicit Blob, Queue and Table endpoints (ports P, P+1, P+2).</summary>
    public string ConnectionString => ConnectionStringFor(BlobPort);

    /// <summary>The connection string of an Azurite on 127.0.0.1 with its blob service on <paramref name="blobPort"/>.</summary>
    public static string ConnectionStringFor(int blobPort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={ServiceUri(blobPort)};QueueEndpoint={ServiceUri(blobPort + 1)};TableEndpoint={ServiceUri(blobPort + 2)};";

    /// <summary>The URI of a container, the form <c>ArtifactStores.Open</c> takes.</summary>
    public Uri ContainerUri(string container) => new($"{BlobServiceUri.AbsoluteUri.TrimEnd('/')}/{container}");

    /// <summary>Reuses an Azurite listening on the blob port, or starts one and waits until it answers requests.</summary>
    public static async Task<Azurite> StartAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        if (IsListening(options.BlobPort))
        {
            if (!options.ReuseRunning)
            {
                throw new InvalidOperationException($"Port {options.BlobPort} is already in use.");
            }

            return await ReuseAsync(options, cancellationToken).ConfigureAwait(false);
        }

        var binary = options.Binary ?? AzuriteBinary.Find(options.SearchFrom);
        var logFile = Path.GetFullPath(options.LogFile
            ?? (options.Location is null ? Path.Combine(Path.GetTempPath(), $"azurite-{options.BlobPort}.log") : Path.Combine(options.Location, "azurite.log")));
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        if (options.Location is not null)
        {
            Directory.CreateDirectory(options.Location);
        }

        var log = TextWriter.Synchronized(new StreamWriter(logFile, append: false) { AutoFlush = true });
        var process = new Process { StartInfo = StartInfo(binary, options), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            await log.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Could not start Azurite '{binary}': {ex.Message}. Azurite needs Node.js 20 on PATH.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(options.BlobPort, binary, logFile, process, log, persistent: options.Location is not null);
        try
        {
            await azurite.WaitUntilReadyAsync(options.StartTimeout, $"Azurite '{binary}' (log: {logFile})", cancellationToken).ConfigureAwait(false);
            return azurite;
        }
        catch (InvalidOperationException) when (options.ReuseRunning && azurite._process!.HasExited && IsListening(options.BlobPort))
        {
            // Lost a start race (EADDRINUSE) against another Azurite on the same port: use that one.
            await azurite.DisposeAsync().ConfigureAwait(false);
            return await ReuseAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<Azurite> ReuseAsync(AzuriteOptions options, CancellationToken cancellationToken)
    {
        var running = new Azurite(options.BlobPort, binary: null, logFile: null, process: null, log: null);
        await running.WaitUntilReadyAsync(options.StartTimeout, "the Azurite already listening", cancellationToken).ConfigureAwait(false);
        return running;
    }

    /// <summary>Starts an in-memory Azurite on three fresh consecutive ports, retrying if a port is taken meanwhile.</summary>
    public static async Task<Azurite> StartInMemoryOnFreePortsAsync(string? searchFrom = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var options = new AzuriteOptions { BlobPort = FreePorts.FindConsecutive(3), SearchFrom = searchFrom, ReuseRunning = false };
            try
            {
                return await StartAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Port race with another process: pick other ports.
            }
        }
    }

    /// <summary>True when something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool IsListening(int port)
    {
        using var client = new TcpClient();
        try
        {
            return client.ConnectAsync("127.0.0.1", port).Wait(TimeSpan.FromSeconds(1)) && client.Connected;
        }
        catch (AggregateException ex) when (ex.InnerException is SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            await FolderAzurite.StopAsync(_folder).ConfigureAwait(false);
        }

        if (_process is not null)
        {
            if (_persistent && !OperatingSystem.IsWindows() && !_process.HasExited)
            {
                // SIGTERM lets Azurite flush its metadata database (~1.5 s); a killed one loses recent writes.
                _ = Kill(_process.Id, SigTerm);
                await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
            }

            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }

            _process.Dispose();
        }

        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static Uri ServiceUri(int port) => new($"http://127.0.0.1:{port}/{AccountName}");

    /// <summary>Azurite's command-line arguments for <paramref name="options"/> (ports, hosts, persistence).</summary>
    internal static IReadOnlyList<string> Arguments(AzuriteOptions options)
    {
        List<string> arguments =
        [
            "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", $"{options.BlobPort}", "--queuePort", $"{options.BlobPort + 1}", "--tablePort", $"{options.BlobPort + 2}",
        ];
        if (options.Location is null)
        {
            arguments.Add("--inMemoryPersistence");
        }
        else
        {
            arguments.Add("--location");
            arguments.Add(Path.GetFullPath(options.Location));
        }

        return arguments;
    }

    /// <summary>Polls until the Azurite on <paramref name="blobPort"/> answers on all three services; false when <paramref name="gone"/> turns true first.</summary>
    internal static async Task<bool> WaitUntilReadyAsync(int blobPort, TimeSpan timeout, Func<bool> gone, string what, CancellationToken cancellationToken)
    {
        var probe = new Azurite(blobPort, binary: null, logFile: null, process: null, log: null);
        try
        {
            await probe.WaitUntilReadyAsync(timeout, what, cancellationToken, gone).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static ProcessStartInfo StartInfo(string binary, AzuriteOptions options)
    {
        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = options.Location ?? Path.GetTempPath(),
        };
        AzuriteWatchdog.Attach(info.Environment, Environment.ProcessId);
        foreach (var argument in Arguments(options))
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Polls the blob service until it answers an HTTP request as Azurite (any status counts).</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout, string what, CancellationToken cancellationToken, Func<bool>? gone = null)
    {
        var clock = Stopwatch.StartNew();
        var probe = new Uri($"{BlobServiceUri.AbsoluteUri}?comp=list");
        while (true)
        {
            if (gone?.Invoke() == true)
            {
                throw new OperationCanceledException($"{what} is gone.");
            }

            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{what} exited with code {_process.ExitCode} before accepting requests on port {BlobPort}. {LogTail()}");
            }

            try
            {
                using var response = await Probe.GetAsync(probe, cancellationToken).ConfigureAwait(false);
                var server = string.Join(' ', response.Headers.Server.Select(s => s.ToString()));
                if (!server.Contains("Azurite", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"Port {BlobPort} answers HTTP, but not as Azurite (Server: '{server}').");
                }

                // The blob service comes up first; the queue and table services (Durable Task) follow.
                if (IsListening(BlobPort + 1) && IsListening(BlobPort + 2))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not up yet.
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException(
                    $"{what} did not accept requests on 127.0.0.1:{BlobPort} (blob), {BlobPort + 1} (queue) and {BlobPort + 2} (table) within {timeout.TotalSeconds:0} s. {LogTail()}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private string LogTail()
    {
        if (LogFile is null || !File.Exists(LogFile))
        {
            return string.Empty;
        }

        using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return $"Last lines of {LogFile}:{Environment.NewLine}{string.Join(Environment.NewLine, lines.TakeLast(20))}";
    }

    private static void WriteLine(TextWriter log, string? line)
    {
        if (line is not null)
        {
            log.WriteLine(line);
        }
    }
}
