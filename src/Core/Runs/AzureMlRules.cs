using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

/// <summary>
/// The shape rules of <c>compute.azureml</c> (<see cref="AzureMlNames"/>), and that the section is only given with
/// <c>compute.runner: "azureml"</c> (with the local runner nothing would read it). What needs the host (is Azure ML
/// configured, is the image's registry allowed) is checked at submission by the runner's own rules.
/// </summary>
internal static class AzureMlRules
{
    private static readonly (string Field, Func<string, bool> IsValid, string Rule)[] Fields =
    [
        ("subscriptionId", AzureMlNames.IsSubscriptionId, AzureMlNames.SubscriptionIdRule),
        ("resourceGroup", AzureMlNames.IsResourceGroup, AzureMlNames.ResourceGroupRule),
        ("workspace", AzureMlNames.IsWorkspace, AzureMlNames.WorkspaceRule),
        ("compute", AzureMlNames.IsCompute, AzureMlNames.ComputeRule),
        ("instanceType", AzureMlNames.IsInstanceType, AzureMlNames.InstanceTypeRule),
        ("image", image => AzureMlNames.RegistryOf(image) is not null, AzureMlNames.ImageRule),
        ("timeout", timeout => AzureMlNames.TryParseTimeout(timeout, out _), AzureMlNames.TimeoutRule),
    ];

    public static void Check(JsonObject root, List<SpecError> errors)
    {
        if (root["compute"] is not JsonObject compute || compute["azureml"] is not JsonObject section)
        {
            return;
        }

        if (compute["runner"] is not JsonValue runner || runner.GetValueKind() != JsonValueKind.String || runner.GetValue<string>() != "azureml")
        {
            errors.Add(new SpecError("$.compute.azureml", "Only read when compute.runner is \"azureml\": set the runner, or remove the section."));
        }

        foreach (var (field, isValid, rule) in Fields)
        {
            if (section[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is var text && !isValid(text))
            {
                errors.Add(new SpecError($"$.compute.azureml.{field}", $"{RunSpecValidator.Quote(text)} is not valid: {rule}."));
            }
        }
    }
}
