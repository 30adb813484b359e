using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Runs;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf run rerun &lt;id&gt; --from &lt;stage&gt; [--set path=value]… [--no-reuse]</c>: a new run of an old run's spec that runs
/// <c>--from</c> and every later stage again and reuses the earlier ones where nothing they depend on changed
/// (docs/reuse.md). <c>--set</c> values are JSON (<c>0.0001</c>, <c>true</c>, <c>"text"</c>, <c>[1,2]</c>) or else taken as text;
/// the server validates the resulting spec like any other, naming the JSON path of each error.
/// </summary>
public static class RerunCommand
{
    public static Command Create(CliIo io, CommonOptions common)
    {
        ArgumentNullException.ThrowIfNull(common);
        var id = new Argument<string>("id") { Description = "The run to rerun" };
        var stages = string.Join(", ", PipelineStages.All.Select(PipelineStages.Name));
        var from = new Option<string>("--from") { Description = $"Stage to run again from ({stages}); earlier stages are reused", Required = true };
        from.AcceptOnlyFromAmong([.. PipelineStages.All.Select(PipelineStages.Name)]);
        var set = new Option<string[]>("--set")
        {
            Description = "Change a spec setting: path=value, e.g. policy.ppo.learningRate=0.0001 (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var noReuse = new Option<bool>("--no-reuse") { Description = "Run every stage again" };
        var runId = new Option<string?>("--run-id") { Description = "Id of the new run (default {name}-{seed}-{utc})" };
        var command = new Command("rerun", "Start a new run of an old run's spec from one of its stages, with settings changed") { id, from, set, noReuse, runId };
        command.SetAction((parse, ct) =>
        {
            var (settings, error) = ParseSettings(parse.GetValue(set) ?? []);
            if (error is not null)
            {
                io.Error.WriteLine($"error: {error}");
                return Task.FromResult(ExitCodes.Error);
            }

            return RunCommands.ClientActionAsync(io, common, parse, async client =>
            {
                var old = parse.GetValue(id)!;
                var links = await client.RerunAsync(old, parse.GetValue(from)!, settings, !parse.GetValue(noReuse), parse.GetValue(runId), ct);
                await RunCommands.WriteStartedAsync(io, parse.GetValue(common.Json), links, $"Started run {links.Id}, a rerun of {old} from stage {parse.GetValue(from)}");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    /// <summary><c>path=value</c> pairs → path → JSON value (text where the value is not JSON), or the first malformed one.</summary>
    public static (IReadOnlyDictionary<string, JsonNode?> Settings, string? Error) ParseSettings(IEnumerable<string> pairs)
    {
        var settings = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return (settings, $"--set '{pair}' is not path=value (e.g. --set policy.ppo.learningRate=0.0001).");
            }

            var text = pair[(equals + 1)..];
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                value = JsonValue.Create(text);
            }

            settings[pair[..equals].Trim()] = value;
        }

        return (settings, null);
    }
}
