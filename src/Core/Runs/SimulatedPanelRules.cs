using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

/// <summary>
/// The rules of <c>labeling.simulated.annotators</c> that span fields: at most <see cref="MaxAnnotators"/> annotators, unique
/// names (they name files), targetAgreement or temperature but not both, some weight &gt; 0, and — when
/// <c>labeling.annotatorsPerComparison</c> is given — the same count as the panel. Reads leniently: wrong types are
/// reported by the structural pass.
/// </summary>
internal static class SimulatedPanelRules
{
    /// <summary>The same bound as <see cref="LabelingSpec.AnnotatorsPerComparison"/>.</summary>
    public const int MaxAnnotators = 9;

    private const string PanelPath = "$.labeling.simulated.annotators";

    public static void Check(JsonObject root, List<SpecError> errors)
    {
        var labeling = root["labeling"] as JsonObject;
        if ((labeling?["simulated"] as JsonObject)?["annotators"] is not JsonArray panel || panel.Count == 0)
        {
            return;
        }

        if (panel.Count > MaxAnnotators)
        {
            errors.Add(new SpecError(PanelPath, $"{panel.Count} annotators: at most {MaxAnnotators}."));
        }

        if (SpecNumbers.Of(labeling!["annotatorsPerComparison"]) is { } count && count != panel.Count)
        {
            errors.Add(new SpecError("$.labeling.annotatorsPerComparison",
                $"{count} annotators per comparison, but labeling.simulated.annotators lists {panel.Count}: leave it out or make them equal."));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < panel.Count; i++)
        {
            if (panel[i] is not JsonObject annotator)
            {
                continue;
            }

            var path = $"{PanelPath}[{i}]";
            if (annotator["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String && !seen.Add(name.GetValue<string>()))
            {
                errors.Add(new SpecError($"{path}.name", $"'{name.GetValue<string>()}' names two annotators; names must be unique (case-insensitively)."));
            }

            if (IsSet(annotator, "targetAgreement") && IsSet(annotator, "temperature"))
            {
                errors.Add(new SpecError($"{path}.temperature", "Give targetAgreement or temperature, not both."));
            }

            if (annotator["weights"] is JsonObject weights && AllZero(weights))
            {
                errors.Add(new SpecError($"{path}.weights", "Every weight is 0: the annotator would have no taste, only biases. Give some weight > 0."));
            }
        }
    }

    private static bool IsSet(JsonObject obj, string key) => obj.TryGetPropertyValue(key, out var value) && value is not null;

    /// <summary>True when every weight, given or defaulted, is 0.</summary>
    private static bool AllZero(JsonObject weights)
    {
        var defaults = JsonSerializer.SerializeToNode(new GoldWeightsSpec(), Json.JsonDefaults.Options)!.AsObject();
        return defaults.All(kv =>
        {
            var value = weights.TryGetPropertyValue(kv.Key, out var given) ? given : kv.Value;
            return SpecNumbers.Of(value) == 0;
        });
    }
}
