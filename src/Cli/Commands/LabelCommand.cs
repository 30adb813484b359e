using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Rlhf.Api.Labeling;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf label links &lt;run&gt; [--labeler a --labeler b] [--batch n] [--ttl 24h]</c>: signed labeling links, one per labeler and batch.</summary>
public static partial class LabelCommand
{
    public static Command Create(CliIo io, CommonOptions common) =>
        new("label", "Human preference labeling") { Links(io, common) };

    /// <summary><c>30m</c>, <c>24h</c>, <c>7d</c> → minutes; null when not of that form or not positive.</summary>
    public static int? ParseTtlMinutes(string text)
    {
        var match = TtlPattern().Match(text ?? string.Empty);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
        {
            return null;
        }

        var minutes = match.Groups[2].Value switch { "m" => (long)n, "h" => n * 60L, _ => n * 24L * 60 };
        return minutes <= int.MaxValue ? (int)minutes : null;
    }

    private static Command Links(CliIo io, CommonOptions common)
    {
        var run = new Argument<string>("run") { Description = "Run id (its labeling stage must be waiting for people)" };
        var labelers = new Option<string[]>("--labeler")
        {
            Description = "Labeler id (repeat for several people; lower-case letters, digits, '.', '_', '-')",
            DefaultValueFactory = _ => ["labeler"],
            AllowMultipleArgumentsPerToken = false,
        };
        var batches = new Option<int[]>("--batch") { Description = "Batch index (repeat; default: every pending human batch)" };
        var ttl = new Option<string?>("--ttl") { Description = "Link lifetime: 30m, 24h, 7d (default: the server's, 24h)" };
        var command = new Command("links", "Issue signed per-labeler links to the labeling page") { run, labelers, batches, ttl };
        command.Validators.Add(result =>
        {
            if (result.GetValue(ttl) is { } text && ParseTtlMinutes(text) is null)
            {
                result.AddError($"--ttl '{text}' is not a duration such as 30m, 24h or 7d.");
            }
        });
        command.SetAction((parse, ct) => RunCommands.ClientActionAsync(io, common, parse, async client =>
        {
            var asked = parse.GetValue(batches);
            var request = new LabelLinksRequest(
                parse.GetValue(labelers)!,
                asked is { Length: > 0 } ? asked : null,
                parse.GetValue(ttl) is { } text ? ParseTtlMinutes(text) : null);
            var links = await client.CreateLabelLinksAsync(parse.GetValue(run)!, request, ct);
            if (parse.GetValue(common.Json))
            {
                await CliApp.WriteJsonAsync(io, links);
                return ExitCodes.Ok;
            }

            if (links.Links.Count == 0)
            {
                await io.Out.WriteLineAsync($"Run {links.RunId} has no batch waiting for people.");
                return ExitCodes.Ok;
            }

            foreach (var link in links.Links)
            {
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{link.Labeler}\tbatch {link.BatchIndex}\texpires {link.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm}Z\t{link.Url}"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    [GeneratedRegex("^([0-9]{1,6})([mhd])$")]
    private static partial Regex TtlPattern();
}
