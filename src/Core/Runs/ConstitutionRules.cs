using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

/// <summary>
/// The cross-field rule of <c>constitution.supervised</c>: at least one principle can be drawn for a critique. (Which
/// chat deployment critic azureOpenAi may call is the host's check at submission, as for the judge.) Reads leniently:
/// wrong types are reported by the structural pass.
/// </summary>
internal static class ConstitutionRules
{
    public static void Check(JsonObject root, List<SpecError> errors)
    {
        if (root["constitution"] is not JsonObject constitution || constitution["supervised"] is not JsonObject supervised
            || supervised["principles"] is not JsonObject principles)
        {
            return;
        }

        var defaults = new PrinciplesSpec();
        double Weight(string name, double fallback) => SpecNumbers.Of(principles[name]) ?? (principles.ContainsKey(name) ? 1 : fallback);
        if (Weight("helpful", defaults.Helpful) + Weight("harmless", defaults.Harmless) + Weight("honest", defaults.Honest) + Weight("kind", defaults.Kind) <= 0)
        {
            errors.Add(new SpecError("$.constitution.supervised.principles", "Every principle has weight 0: a critique needs at least one principle to draw."));
        }
    }
}
