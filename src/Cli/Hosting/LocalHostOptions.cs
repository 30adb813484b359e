using Rlhf.Core.Telemetry;

namespace Rlhf.Cli.Hosting;

/// <summary>How <see cref="LocalHost"/> runs: ports, storage, task hub, schedule. Defaults are those of <c>rlhf serve</c>.</summary>
public sealed record LocalHostOptions
{
    /// <summary>HTTP API port; 0 picks a free one.</summary>
    public int Port { get; init; } = 7071;

    /// <summary>Address the API binds to; loopback unless asked otherwise.</summary>
    public string Bind { get; init; } = "127.0.0.1";

    /// <summary>gRPC port of the Durable Task sidecar (loopback, HTTP/2); 0 picks a free one.</summary>
    public int SidecarPort { get; init; }

    /// <summary>Local state: Azurite's <c>--location</c> and logs. Relative paths are under the working directory.</summary>
    public string DataDir { get; init; } = ".rlhf";

    /// <summary>Storage connection string (Azurite style, with explicit endpoints); null starts or reuses Azurite.</summary>
    public string? Storage { get; init; }

    /// <summary>Blob port of the Azurite started when <see cref="Storage"/> is null (queue and table use the next two).</summary>
    public int AzuriteBlobPort { get; init; } = 10000;

    /// <summary>Durable task hub name (tables, queues and lease blobs are named after it).</summary>
    public string TaskHub { get; init; } = "rlhf";

    /// <summary>Blob container that holds every artifact (<c>runs/</c>, <c>datasets/</c>, <c>models/</c>, <c>jobs/</c>).</summary>
    public string Container { get; init; } = "rlhf";

    /// <summary>How long the engine may sleep between queue polls when idle (Durable's default is 30 s).</summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The overdue-timer sweep (<see cref="TimerSweeper"/>): every 15 s, wake timers more than 60 s overdue (twice the
    /// control queue's 30 s visibility timeout, after which a crashed host's dequeued timer message reappears); null: off.
    /// </summary>
    public TimerSweepOptions? TimerSweep { get; init; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));

    /// <summary>Six-field cron (seconds first, as Functions' TimerTrigger) for the nightly run; null: no schedule.</summary>
    public string? NightlyCron { get; init; }

    /// <summary>Run spec file the nightly schedule starts.</summary>
    public string NightlySpec { get; init; } = "configs/nightly.json";

    /// <summary>Upload <c>data/tiny</c> (and <c>data/full</c>) into <c>datasets/</c> on start.</summary>
    public bool SeedDatasets { get; init; } = true;

    /// <summary>Repository root (holds <c>data/</c>, <c>configs/</c>, <c>node_modules/</c>); null: searched upwards.</summary>
    public string? RepoRoot { get; init; }

    /// <summary>
    /// Services registered after the workflow's (tests: the Azure ML stand-in's credential, transport and settings, trainer
    /// scratch folders); null: none.
    /// </summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Orchestrations and activities registered next to the workflow's (tests and probes); null: none.</summary>
    public Action<Microsoft.DurableTask.DurableTaskRegistry>? ExtraTasks { get; init; }

    /// <summary>
    /// Where the host's traces and metrics go; null: where the configuration says (<see cref="TelemetryExport.From"/>:
    /// OTLP, Azure Monitor or nothing). Tests pass exporters of their own (<see cref="TelemetryExport.WithInProcess"/>).
    /// </summary>
    public TelemetryExport? Telemetry { get; init; }

    /// <summary>Environment variables set on every trainer job this host starts, next to its own environment.</summary>
    public IReadOnlyDictionary<string, string> JobEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Minimum level of console logs.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Warning;
}
