using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rlhf.Core.Artifacts;

namespace Rlhf.Core.Runs;

/// <summary>
/// Checks a run spec document against the <see cref="RunSpec"/> records: unknown fields, JSON types,
/// enum values, ranges (<see cref="RangeAttribute"/>), store paths, required fields and the few
/// cross-field rules. Returns every error (never throws on bad input), each with the JSON path of the
/// offending value, e.g. <c>$.sampling.k</c>.
/// </summary>
public static class RunSpecValidator
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static IReadOnlyList<SpecError> Validate(JsonNode? doc)
    {
        var errors = new List<SpecError>();
        if (doc is not JsonObject root)
        {
            errors.Add(new SpecError("$", $"Expected a JSON object, found {KindOf(doc)}."));
            return errors;
        }

        ValidateObject(root, typeof(RunSpec), "$", errors);
        CrossFieldRules.Check(root, errors);
        SimulatedPanelRules.Check(root, errors);
        LabelingRules.Check(root, errors);
        ConstitutionRules.Check(root, errors);
        AzureMlRules.Check(root, errors);
        return errors;
    }

    /// <summary>The JSON name of a spec property (camelCase, as written by <see cref="Json.JsonDefaults"/>).</summary>
    public static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    /// <summary>The accepted JSON spellings of an enum's values.</summary>
    public static IReadOnlyList<string> EnumNames(Type enumType) =>
        [.. enumType.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f =>
            f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(f.Name))];

    internal static string Child(string path, string name) =>
        name.Length > 64 ? $"{path}['{name[..64]}...']" : name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && name.Length > 0 ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private static void ValidateObject(JsonObject obj, Type type, string path, List<SpecError> errors)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(JsonName, StringComparer.Ordinal);

        foreach (var (key, _) in obj)
        {
            if (!properties.ContainsKey(key))
            {
                var near = properties.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
                var hint = near is null ? $"Known fields: {string.Join(", ", properties.Keys)}." : $"Did you mean '{near}'?";
                errors.Add(new SpecError(Child(path, key), $"Unknown field {Quote(key)}. {hint}"));
            }
        }

        foreach (var (name, property) in properties)
        {
            var childPath = Child(path, name);
            if (!obj.TryGetPropertyValue(name, out var value))
            {
                if (property.GetCustomAttribute<RequiredMemberAttribute>() is not null || property.GetCustomAttribute<RequiredAttribute>() is not null)
                {
                    errors.Add(new SpecError(childPath, "Required field is missing."));
                }

                continue;
            }

            ValidateValue(value, property, childPath, errors);
        }
    }

    private static void ValidateValue(JsonNode? value, PropertyInfo property, string path, List<SpecError> errors)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (value is null)
        {
            if (Nullability.Create(property).WriteState != NullabilityState.Nullable)
            {
                errors.Add(new SpecError(path, "Must not be null."));
            }

            return;
        }

        if (type == typeof(JsonObject))
        {
            Expect(value is JsonObject, value, "an object", path, errors);
        }
        else if (type == typeof(string))
        {
            if (Expect(IsKind(value, JsonValueKind.String), value, "a string", path, errors))
            {
                CheckString(value.GetValue<string>(), property, path, errors);
            }
        }
        else if (type == typeof(bool))
        {
            Expect(IsKind(value, JsonValueKind.True) || IsKind(value, JsonValueKind.False), value, "true or false", path, errors);
        }
        else if (type == typeof(int))
        {
            if (Expect(IsKind(value, JsonValueKind.Number), value, "an integer", path, errors))
            {
                var number = SpecNumbers.Of(value)!.Value;
                // The reader (System.Text.Json) takes an int only as digits: 1.0 and 4e0 are refused here, where the field is named.
                if (value.ToJsonString().AsSpan().IndexOfAny('.', 'e', 'E') >= 0 || number < int.MinValue || number > int.MaxValue)
                {
                    errors.Add(new SpecError(path, $"Expected an integer, found {value.ToJsonString()}."));
                }
                else
                {
                    CheckRange(number, property, path, errors);
                }
            }
        }
        else if (type == typeof(double))
        {
            if (Expect(IsKind(value, JsonValueKind.Number), value, "a number", path, errors))
            {
                CheckRange(SpecNumbers.Of(value)!.Value, property, path, errors);
            }
        }
        else if (type.IsEnum)
        {
            var names = EnumNames(type);
            if (Expect(IsKind(value, JsonValueKind.String), value, $"one of {string.Join(" | ", names)}", path, errors)
                && !names.Contains(value.GetValue<string>(), StringComparer.Ordinal))
            {
                errors.Add(new SpecError(path, $"{Quote(value.GetValue<string>())} is not one of {string.Join(" | ", names)}."));
            }
        }
        else if (ListElement(type) is { } element)
        {
            if (Expect(value is JsonArray, value, "an array", path, errors))
            {
                foreach (var (item, index) in ((JsonArray)value).Select((item, index) => (item, index)))
                {
                    ValidateItem(item, element, $"{path}[{index}]", errors);
                }
            }
        }
        else if (type.IsClass && type.Namespace == typeof(RunSpec).Namespace)
        {
            if (Expect(value is JsonObject, value, "an object", path, errors))
            {
                ValidateObject((JsonObject)value, type, path, errors);
            }
        }
        else
        {
            throw new NotSupportedException($"RunSpecValidator has no rule for {type.Name} ({path}).");
        }
    }

    /// <summary>T of an <c>IReadOnlyList&lt;T&gt;</c> of strings or of spec records (e.g. the simulated annotators), else null.</summary>
    private static Type? ListElement(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && type.GetGenericArguments()[0] is { } element
            && (element == typeof(string) || (element.IsClass && element.Namespace == typeof(RunSpec).Namespace))
            ? element
            : null;

    /// <summary>One element of a list: a non-null string, or an object checked against its spec record.</summary>
    private static void ValidateItem(JsonNode? item, Type element, string path, List<SpecError> errors)
    {
        if (item is null)
        {
            errors.Add(new SpecError(path, "Must not be null."));
        }
        else if (element == typeof(string))
        {
            Expect(IsKind(item, JsonValueKind.String), item, "a string", path, errors);
        }
        else if (Expect(item is JsonObject, item, "an object", path, errors))
        {
            ValidateObject((JsonObject)item, element, path, errors);
        }
    }

    /// <summary>Longest free-text string a spec may hold (names, principles); paths and identifiers have their own, shorter limits.</summary>
    public const int MaxStringLength = 4096;

    private static void CheckString(string text, PropertyInfo property, string path, List<SpecError> errors)
    {
        if (property.GetCustomAttribute<StorePathAttribute>() is not null && !ArtifactPath.IsValid(text))
        {
            errors.Add(new SpecError(path, $"{Quote(text)} is not a valid store path (relative, '/'-separated, at most {ArtifactPath.MaxLength} characters, segments of [A-Za-z0-9._=-] not starting with '.')."));
        }
        else if (property.GetCustomAttribute<IdentifierNameAttribute>() is not null && !IdentifierNameAttribute.IsValid(text))
        {
            errors.Add(new SpecError(path, $"{Quote(text)} must be 1-64 characters of [A-Za-z0-9-_.] starting with a letter or digit."));
        }
        else if (property.GetCustomAttribute<SettingNameAttribute>() is not null && !SettingNameAttribute.IsValid(text))
        {
            errors.Add(new SpecError(path, $"{Quote(text)} is not a setting name (1-128 characters of [A-Za-z0-9_:.-] starting with a letter). Name the app setting that holds the value, not the value: a run spec carries no secrets."));
        }
        else if (property.GetCustomAttribute<TorchDeviceAttribute>() is not null && !TorchDeviceAttribute.IsValid(text))
        {
            errors.Add(new SpecError(path, $"{Quote(text)} is not a torch device (cpu, cuda, cuda:N)."));
        }
        else if (text.Length > MaxStringLength)
        {
            errors.Add(new SpecError(path, $"A string of {text.Length} characters; the limit is {MaxStringLength}."));
        }
    }

    /// <summary>A value quoted for an error message, cut to a readable length (a hostile value can be megabytes).</summary>
    internal static string Quote(string text) => text.Length <= 80 ? $"'{text}'" : $"'{text[..64]}...' ({text.Length} characters)";

    private static void CheckRange(double number, PropertyInfo property, string path, List<SpecError> errors)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is not { } range)
        {
            return;
        }

        var min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
        var max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
        var tooLow = range.MinimumIsExclusive ? number <= min : number < min;
        var tooHigh = range.MaximumIsExclusive ? number >= max : number > max;
        if (tooLow || tooHigh)
        {
            var low = range.MinimumIsExclusive ? $"> {Format(min)}" : $">= {Format(min)}";
            var high = max >= int.MaxValue ? "" : range.MaximumIsExclusive ? $" and < {Format(max)}" : $" and <= {Format(max)}";
            errors.Add(new SpecError(path, $"{Format(number)} is out of range: must be {low}{high}."));
        }
    }

    private static string Format(double x) => x.ToString("G", CultureInfo.InvariantCulture);

    private static bool IsKind(JsonNode node, JsonValueKind kind) => node is JsonValue && node.GetValueKind() == kind;

    private static bool Expect(bool ok, JsonNode value, string expected, string path, List<SpecError> errors)
    {
        if (!ok)
        {
            errors.Add(new SpecError(path, $"Expected {expected}, found {KindOf(value)}."));
        }

        return ok;
    }

    private static string KindOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => $"the string {Quote(node.GetValue<string>())}",
            JsonValueKind.Number => $"the number {node.ToJsonString()}",
            _ => node.ToJsonString(),
        },
    };
}
