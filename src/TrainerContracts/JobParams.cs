using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;

namespace Rlhf.TrainerContracts;

/// <summary>
/// Binds <see cref="JobSpec.Params"/> to a verb's typed config record (camelCase keys, defaults for
/// missing keys) and checks the spec's inputs. Unknown keys, at any depth, are rejected so a typo
/// cannot silently fall back to a default. Errors name the field: <c>params.learningRate</c>.
/// </summary>
public static class JobParams
{
    /// <summary>Deserialises <c>spec.Params</c> into <typeparamref name="TConfig"/>; throws <see cref="JobSpecException"/>.</summary>
    public static TConfig Bind<TConfig>(JobSpec spec)
        where TConfig : class
    {
        ArgumentNullException.ThrowIfNull(spec);
        RejectUnknownKeys(spec.Params, typeof(TConfig), "params");
        try
        {
            return spec.Params.Deserialize<TConfig>(JsonDefaults.Options)
                ?? throw new JobSpecException("params", "must be a JSON object");
        }
        catch (JsonException ex)
        {
            var field = ex.Path is null or "$" ? "params" : "params." + ex.Path.TrimStart('$', '.');
            throw new JobSpecException(field, $"has the wrong type: {ex.Message}");
        }
    }

    /// <summary>Throws <c>inputs.{name} is required</c> unless the spec names that input.</summary>
    public static string RequireInput(JobSpec spec, string name)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Inputs.TryGetValue(name, out var path)
            ? path
            : throw new JobSpecException($"inputs.{name}", "is required");
    }

    /// <summary>The input's path, or null when the spec does not name it.</summary>
    public static string? OptionalInput(JobSpec spec, string name)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Inputs.GetValueOrDefault(name);
    }

    /// <summary>Throws <c>inputs.{name} is not used by {verb}</c> for any input outside <paramref name="known"/>.</summary>
    public static void RejectUnknownInputs(JobSpec spec, params string[] known)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var name in spec.Inputs.Keys.Where(k => !known.Contains(k, StringComparer.Ordinal)))
        {
            throw new JobSpecException($"inputs.{name}", $"is not an input of '{spec.Verb}' (known: {string.Join(", ", known)})");
        }
    }

    private static void RejectUnknownKeys(JsonObject json, Type type, string field)
    {
        var info = JsonDefaults.Options.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var (key, value) in json)
        {
            var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new JobSpecException($"{field}.{key}", $"is not a parameter (known: {string.Join(", ", info.Properties.Select(p => p.Name))})");
            if (value is JsonObject nested)
            {
                var nestedType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                RejectUnknownKeys(nested, nestedType, $"{field}.{property.Name}");
            }
        }
    }
}
