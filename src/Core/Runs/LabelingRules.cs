using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

/// <summary>
/// The labeling rules that span fields: routing by principle (<c>labeling.aiPrinciples</c>) names known, distinct principles
/// the AI judge weighs, only in mode mixed, and leaves people at least one weighted principle (that
/// <c>labeling.human.notifyUrlSetting</c> names a setting, not a URL, is its <see cref="SettingNameAttribute"/>'s check).
/// Reads leniently: wrong types are reported by the structural pass.
/// </summary>
internal static class LabelingRules
{
    private const string AiPrinciplesPath = "$.labeling.aiPrinciples";

    public static void Check(JsonObject root, List<SpecError> errors)
    {
        if (root["labeling"] is not JsonObject labeling)
        {
            return;
        }

        CheckAiPrinciples(labeling, errors);
    }

    private static void CheckAiPrinciples(JsonObject labeling, List<SpecError> errors)
    {
        if (labeling["aiPrinciples"] is not JsonArray principles || principles.Count == 0)
        {
            return;
        }

        var mode = labeling["mode"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : "simulated";
        if (mode != "mixed")
        {
            errors.Add(new SpecError(AiPrinciplesPath, $"Routing by principle is for mode mixed (mode is {mode}); remove aiPrinciples or set labeling.mode to mixed."));
        }

        var weights = Weights(labeling);
        var named = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < principles.Count; i++)
        {
            if (principles[i] is not JsonValue item || item.GetValueKind() != JsonValueKind.String)
            {
                continue;
            }

            var name = item.GetValue<string>();
            var path = $"{AiPrinciplesPath}[{i}]";
            if (!PrinciplesSpec.Names.Contains(name))
            {
                errors.Add(new SpecError(path, $"'{name}' is not a principle of the constitution ({string.Join(", ", PrinciplesSpec.Names)})."));
            }
            else if (!named.Add(name))
            {
                errors.Add(new SpecError(path, $"'{name}' is listed twice."));
            }
            else if (weights.GetValueOrDefault(name) <= 0)
            {
                errors.Add(new SpecError(path, $"'{name}' has weight 0 in labeling.ai.principles: the AI judge would judge nothing. Give it a weight > 0."));
            }
        }

        if (weights.Where(w => w.Value > 0).All(w => named.Contains(w.Key)))
        {
            errors.Add(new SpecError(AiPrinciplesPath, "Every weighted principle goes to the AI judge: people would have nothing to judge. Leave at least one to them, or use mode ai."));
        }
    }

    /// <summary>The effective principle weights: the spec's, defaults for those it leaves out.</summary>
    private static Dictionary<string, double> Weights(JsonObject labeling)
    {
        var defaults = JsonSerializer.SerializeToNode(new PrinciplesSpec(), Json.JsonDefaults.Options)!.AsObject();
        var given = (labeling["ai"] as JsonObject)?["principles"] as JsonObject;
        return defaults.ToDictionary(
            d => d.Key,
            d => SpecNumbers.Of(given?[d.Key]) ?? SpecNumbers.Of(d.Value) ?? 0,
            StringComparer.Ordinal);
    }
}
