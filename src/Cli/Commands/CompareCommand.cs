using System.CommandLine;
using System.Globalization;
using Rlhf.Api;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf runs compare A B [C…] [--out compare.html]</c>: the runs' key metrics side by side with the change from the first
/// run, and the spec settings that differ; <c>--out</c> saves the HTML page with their curves overlaid. Runs are numbered,
/// their ids listed on lines of their own, so no id is ever wrapped in a column.
/// </summary>
public static class CompareCommand
{
    public static Command Create(CliIo io, CommonOptions common)
    {
        var ids = new Argument<string[]>("ids") { Description = $"2 to {RunCompareApi.MaxRuns} run ids", Arity = new ArgumentArity(2, RunCompareApi.MaxRuns) };
        var output = new Option<FileInfo?>("--out") { Description = "Also write the HTML comparison (curves overlaid) to this file" };
        var command = new Command("compare", "Compare runs: key metrics side by side, spec differences, curves overlaid (--out)") { ids, output };
        command.SetAction((parse, ct) => RunCommands.ClientActionAsync(io, common, parse, async client =>
        {
            var runIds = parse.GetValue(ids)!;
            var comparison = await client.CompareAsync(runIds, ct);
            if (parse.GetValue(common.Json))
            {
                await CliApp.WriteJsonAsync(io, comparison);
            }
            else
            {
                Write(io, comparison);
            }

            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, await client.GetCompareReportAsync(runIds, ct), ct);
                await io.Error.WriteLineAsync($"Wrote {file.FullName}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    public static void Write(CliIo io, RunComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(comparison);
        foreach (var (run, i) in comparison.Runs.Select((r, i) => (r, i + 1)))
        {
            io.Out.WriteLine($"[{i}] {run.Id}  ({run.RuntimeStatus}, {run.Algorithm}, seed {run.Seed})");
        }

        io.Out.Flush();
        var table = new Table().AddColumn("metric");
        foreach (var i in Enumerable.Range(1, comparison.Runs.Count))
        {
            table.AddColumn(new TableColumn(Markup.Escape($"[{i}]")).RightAligned());
        }

        foreach (var metric in comparison.Metrics)
        {
            table.AddRow([Markup.Escape(metric.Label), .. metric.Values.Select((v, i) => Markup.Escape(Cell(v, metric.Deltas[i])))]);
        }

        io.Ansi.Write(table);
        if (comparison.Differences.Count > 0)
        {
            var differences = new Table().AddColumn("spec setting");
            foreach (var i in Enumerable.Range(1, comparison.Runs.Count))
            {
                differences.AddColumn(Markup.Escape($"[{i}]"));
            }

            foreach (var difference in comparison.Differences)
            {
                differences.AddRow([Markup.Escape(difference.Path), .. difference.Values.Select(v => Markup.Escape(v ?? "—"))]);
            }

            io.Ansi.Write(differences);
        }

        if (comparison.ReportUri is not null)
        {
            io.Out.WriteLine("curves overlaid:");
            io.Out.WriteLine(comparison.ReportUri);
        }
    }

    private static string Cell(double? value, double? delta) =>
        value is not { } v ? "—"
        : delta is { } d ? $"{StageText.Number(v)} ({(d >= 0 ? "+" : "")}{d.ToString("G3", CultureInfo.InvariantCulture)})"
        : StageText.Number(v);
}
