using System.CommandLine;
using Rlhf.Cli.Client;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf run start|show|watch|rerun|cancel|report|purge</c> and <c>rlhf runs list|compare</c>: clients of the HTTP API.</summary>
public static class RunCommands
{
    public static Command CreateRun(CliIo io, CommonOptions common)
    {
        return new Command("run", "Start, inspect, watch, cancel and report one run")
        {
            Start(io, common),
            Show(io, common),
            WatchCommand.Create(io, common),
            RerunCommand.Create(io, common),
            Cancel(io, common),
            Report(io, common),
            Purge(io, common),
        };
    }

    public static Command CreateRuns(CliIo io, CommonOptions common) =>
        new("runs", "List and compare runs") { List(io, common), CompareCommand.Create(io, common) };

    private static Argument<string> RunIdArgument() => new("id") { Description = "Run id" };

    private static Command Start(CliIo io, CommonOptions common)
    {
        var specFile = new Argument<FileInfo>("spec") { Description = "Run spec (JSON file)" };
        var runId = new Option<string?>("--run-id") { Description = "Run id (default {name}-{seed}-{utc})" };
        var noReuse = new Option<bool>("--no-reuse") { Description = "Run every step, even those an earlier run completed with the same inputs, parameters, seed and code (docs/reuse.md)" };
        var command = new Command("start", "Validate a run spec and start the run") { specFile, runId, noReuse };
        command.SetAction((parse, ct) => ClientActionAsync(io, common, parse, async client =>
        {
            var file = parse.GetValue(specFile)!;
            var links = await client.StartRunAsync(await File.ReadAllTextAsync(file.FullName, ct), parse.GetValue(runId), !parse.GetValue(noReuse), ct);
            await WriteStartedAsync(io, parse.GetValue(common.Json), links, $"Started run {links.Id}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The links of a started run: JSON, or one line each (ids and URLs alone on their lines, never wrapped).</summary>
    internal static async Task WriteStartedAsync(CliIo io, bool json, Api.RunLinks links, string headline)
    {
        if (json)
        {
            await CliApp.WriteJsonAsync(io, links);
            return;
        }

        await io.Out.WriteLineAsync(headline);
        await io.Out.WriteLineAsync($"  status: {links.StatusQueryGetUri}");
        await io.Out.WriteLineAsync($"  report: {links.ReportUri}");
        await io.Out.WriteLineAsync($"  watch:  rlhf run watch {links.Id}");
    }

    private static Command Show(CliIo io, CommonOptions common)
    {
        var id = RunIdArgument();
        var command = new Command("show", "Show a run's status, stage, metrics and artifacts") { id };
        command.SetAction((parse, ct) => ClientActionAsync(io, common, parse, async client =>
        {
            var run = await client.GetRunAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(common.Json))
            {
                await CliApp.WriteJsonAsync(io, run);
            }
            else
            {
                RunRendering.WriteDetail(io, run);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Cancel(CliIo io, CommonOptions common)
    {
        var id = RunIdArgument();
        var command = new Command("cancel", "Cancel a running run") { id };
        command.SetAction((parse, ct) => ClientActionAsync(io, common, parse, async client =>
        {
            var links = await client.CancelRunAsync(parse.GetValue(id)!, ct);
            await (parse.GetValue(common.Json) ? CliApp.WriteJsonAsync(io, links) : io.Out.WriteLineAsync($"Cancel requested for run {links.Id}"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Purge(CliIo io, CommonOptions common)
    {
        var id = RunIdArgument();
        var command = new Command("purge", "Delete a finished run's history, artifacts and job folders") { id };
        command.SetAction((parse, ct) => ClientActionAsync(io, common, parse, async client =>
        {
            var outcome = await client.PurgeRunAsync(parse.GetValue(id)!, ct);
            await (parse.GetValue(common.Json)
                ? CliApp.WriteJsonAsync(io, outcome)
                : io.Out.WriteLineAsync($"Purged run {outcome.Id}: {outcome.InstancesDeleted} instance(s), {outcome.ArtifactsDeleted} artifact(s)"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Report(CliIo io, CommonOptions common)
    {
        var id = RunIdArgument();
        var output = new Option<FileInfo?>("--out") { Description = "Write the HTML report to this file (default: standard output)" };
        var command = new Command("report", "Fetch a run's HTML report") { id, output };
        command.SetAction((parse, ct) => ClientActionAsync(io, common, parse, async client =>
        {
            var html = await client.GetReportAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, html, ct);
                await io.Out.WriteLineAsync($"Wrote {file.FullName}");
            }
            else
            {
                await io.Out.WriteAsync(html);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CliIo io, CommonOptions common)
    {
        var status = new Option<string[]>("--status") { Description = "Only runs in these states (Running, Completed, Failed, Terminated, Pending)", AllowMultipleArgumentsPerToken = true };
        var prefix = new Option<string?>("--prefix") { Description = "Only run ids starting with this (e.g. the spec name)" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Created at or after (ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Created at or before (ISO 8601)" };
        var pageSize = new Option<int?>("--page-size") { Description = "Runs per page" };
        var token = new Option<string?>("--continuation-token") { Description = "Continue a previous listing" };
        var all = new Option<bool>("--all") { Description = "Follow continuation tokens to the end" };
        var command = new Command("list", "List runs, newest first within a page") { status, prefix, from, to, pageSize, token, all };
        command.SetAction((parse, ct) => ClientActionAsync(io, common, parse, async client =>
        {
            var filter = new RunListFilter
            {
                Statuses = parse.GetValue(status) ?? [],
                Prefix = parse.GetValue(prefix),
                CreatedFrom = parse.GetValue(from),
                CreatedTo = parse.GetValue(to),
                PageSize = parse.GetValue(pageSize),
                ContinuationToken = parse.GetValue(token),
            };
            var page = await client.ListRunsAsync(filter, ct);
            var runs = page.Runs.ToList();
            while (parse.GetValue(all) && page.ContinuationToken is not null)
            {
                page = await client.ListRunsAsync(filter with { ContinuationToken = page.ContinuationToken }, ct);
                runs.AddRange(page.Runs);
            }

            var result = page with { Runs = runs.OrderByDescending(r => r.CreatedAt).ToList() };
            if (parse.GetValue(common.Json))
            {
                await CliApp.WriteJsonAsync(io, result);
            }
            else
            {
                RunRendering.WriteList(io, result);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Creates the API client for <c>--endpoint</c> and runs <paramref name="action"/> under <see cref="CliApp.GuardAsync"/>.</summary>
    internal static Task<int> ClientActionAsync(CliIo io, CommonOptions common, ParseResult parse, Func<RlhfApiClient, Task<int>> action) =>
        CliApp.GuardAsync(io, parse.GetValue(common.Json), async () =>
        {
            using var client = new RlhfApiClient(parse.GetValue(common.Endpoint)!, parse.GetValue(common.FunctionKey));
            return await action(client);
        });
}
