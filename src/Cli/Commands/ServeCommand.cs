using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rlhf.Cli.Hosting;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf serve</c>: runs <see cref="LocalHost"/> until Ctrl+C.</summary>
public static class ServeCommand
{
    /// <summary>The line <c>serve</c> prints once it accepts requests; a parent process can wait for it.</summary>
    public const string ReadyMarker = "rlhf serve ready:";

    public const string DefaultNightlyCron = "0 0 2 * * *";

    public static Command Create(CliIo io)
    {
        var port = new Option<int>("--port") { Description = "HTTP API port (0: a free port)", DefaultValueFactory = _ => 7071 };
        var bind = new Option<string>("--bind") { Description = "Address the API listens on", DefaultValueFactory = _ => "127.0.0.1" };
        var dataDir = new Option<string>("--data-dir") { Description = "Local state (Azurite data, job logs)", DefaultValueFactory = _ => ".rlhf" };
        var storage = new Option<string?>("--storage") { Description = "Storage connection string; default: start or reuse Azurite" };
        var azuritePort = new Option<int>("--azurite-port") { Description = "Blob port of the Azurite to start or reuse (queue, table: +1, +2)", DefaultValueFactory = _ => 10000 };
        var sidecarPort = new Option<int>("--sidecar-port") { Description = "gRPC port of the Durable Task engine (0: a free port)" };
        var taskHub = new Option<string>("--task-hub") { Description = "Durable task hub name", DefaultValueFactory = _ => "rlhf" };
        var container = new Option<string>("--container") { Description = "Blob container of the artifacts", DefaultValueFactory = _ => "rlhf" };
        var nightly = new Option<bool>("--nightly") { Description = "Run the nightly retraining schedule" };
        var nightlyCron = new Option<string>("--nightly-cron") { Description = "Six-field cron (UTC, seconds first) of the nightly run", DefaultValueFactory = _ => DefaultNightlyCron };
        var nightlySpec = new Option<string>("--nightly-spec") { Description = "Run spec of the nightly run", DefaultValueFactory = _ => "configs/nightly.json" };
        var noSeed = new Option<bool>("--no-seed") { Description = "Do not upload the built-in datasets" };
        var verbose = new Option<bool>("--verbose") { Description = "Log engine and worker activity" };

        var command = new Command("serve", "Host everything locally: Azurite, the Durable Task engine, the worker, the HTTP API and the job runner")
        {
            port, bind, dataDir, storage, azuritePort, sidecarPort, taskHub, container, nightly, nightlyCron, nightlySpec, noSeed, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new LocalHostOptions
            {
                Port = parse.GetValue(port),
                Bind = parse.GetValue(bind)!,
                DataDir = parse.GetValue(dataDir)!,
                Storage = parse.GetValue(storage),
                AzuriteBlobPort = parse.GetValue(azuritePort),
                SidecarPort = parse.GetValue(sidecarPort),
                TaskHub = parse.GetValue(taskHub)!,
                Container = parse.GetValue(container)!,
                NightlyCron = parse.GetValue(nightly) ? parse.GetValue(nightlyCron) : null,
                NightlySpec = parse.GetValue(nightlySpec)!,
                SeedDatasets = !parse.GetValue(noSeed),
                LogLevel = parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning,
            };
            return await ServeAsync(io, options, cancellationToken);
        });
        return command;
    }

    public static async Task<int> ServeAsync(CliIo io, LocalHostOptions options, CancellationToken cancellationToken)
    {
        LocalHostHandle started;
        try
        {
            started = await LocalHost.StartAsync(options, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // The storage could not be started or reached (a port taken, Azurite missing or exiting): say why, no stack.
            await io.Error.WriteLineAsync($"rlhf serve: {e.Message}");
            return ExitCodes.Error;
        }

        await using var host = started;
        await io.Out.WriteLineAsync($"rlhf serve: API        {host.ApiUri}api/runs");
        await io.Out.WriteLineAsync($"rlhf serve: engine     Durable Task over Azure Storage, gRPC sidecar {host.SidecarUri}");
        await io.Out.WriteLineAsync($"rlhf serve: artifacts  {host.Context.ArtifactStoreLocation}");
        await io.Out.WriteLineAsync($"rlhf serve: data       {host.Context.DataDir}");
        await io.Out.WriteLineAsync($"rlhf serve: telemetry  {host.Telemetry.Description} (docs/telemetry.md)");
        if (options.NightlyCron is not null)
        {
            await io.Out.WriteLineAsync($"rlhf serve: nightly    '{options.NightlyCron}' (UTC) → {options.NightlySpec}");
        }

        await io.Out.WriteLineAsync($"{ReadyMarker} {host.ApiUri}");
        await io.Out.WriteLineAsync("Press Ctrl+C to stop; running runs resume on the next start.");
        await io.Out.FlushAsync(cancellationToken);
        try
        {
            await host.WaitForShutdownAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: fall through to the graceful stop in DisposeAsync.
        }

        await io.Out.WriteLineAsync("rlhf serve: stopped");
        return ExitCodes.Ok;
    }
}
