using System.CommandLine;
using System.Text.Json;
using Rlhf.Cli.Client;
using Rlhf.Cli.Commands;
using Rlhf.Core.Json;

namespace Rlhf.Cli;

/// <summary>The <c>rlhf</c> command tree and the error handling every verb shares.</summary>
public static class CliApp
{
    public static RootCommand Build(CliIo io)
    {
        var common = new CommonOptions();
        var root = new RootCommand("rlhf: run the RLHF pipeline locally (`serve`) and drive runs over its HTTP API")
        {
            common.Endpoint,
            common.FunctionKey,
            common.Json,
            ServeCommand.Create(io),
            RunCommands.CreateRun(io, common),
            RunCommands.CreateRuns(io, common),
            DemoCommand.Create(io, common),
            LabelCommand.Create(io, common),
        };
        return root;
    }

    /// <summary>How long a stopping verb may take after Ctrl+C / SIGTERM (serve: host 5 s + Azurite's flush up to 10 s).</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken = default)
    {
        var parse = Build(io).Parse(args);
        // Ctrl+C / SIGTERM cancel the verb's token; the process is only forced down after this long. System.CommandLine's
        // default (2 s) cut `serve` short while it stopped the engine and Azurite, leaving an Azurite that died a second
        // later under a `serve` restarted at once (which had found it listening and reused it).
        var invocation = new InvocationConfiguration { Output = io.Out, Error = io.Error, ProcessTerminationTimeout = ShutdownGrace };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>Runs a client verb, turning API and connection failures into messages and exit codes.</summary>
    public static async Task<int> GuardAsync(CliIo io, bool json, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (RlhfEndpointUnreachableException ex)
        {
            await io.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Error;
        }
        catch (RlhfApiException ex)
        {
            if (json && ex.Problem is not null)
            {
                await io.Out.WriteLineAsync(JsonSerializer.Serialize(ex.Problem, JsonDefaults.Options));
            }

            await io.Error.WriteLineAsync($"error: {ex.Problem?.Title ?? ex.Status.ToString()} ({(int)ex.Status})");
            foreach (var error in ex.Problem?.Errors ?? [])
            {
                await io.Error.WriteLineAsync($"  {error.Path}: {error.Message}");
            }

            if (ex.Problem is { Errors: null or { Count: 0 }, Detail: { } detail })
            {
                await io.Error.WriteLineAsync($"  {detail}");
            }

            return ExitCodes.Error;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await io.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Error;
        }
    }

    public static Task WriteJsonAsync<T>(CliIo io, T value) =>
        io.Out.WriteLineAsync(JsonSerializer.Serialize(value, JsonDefaults.Indented));
}
