using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rlhf.Activities;
using Rlhf.Activities.Jobs;
using Rlhf.Api;
using Rlhf.Api.Labeling;
using Rlhf.FunctionApp.Nightly;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// <c>infra/bicep/main.bicep</c> sets every app setting the Function App reads, and nothing it does not read.
/// It reads the ARM JSON that <c>bicep build</c> (the real compiler, from NuGet) makes of it, not the .bicep text:
/// that is what Azure receives, with the modules inlined and every expression resolved into one place, so a
/// setting renamed in a module, a broken module path or a setting built by string interpolation cannot slip past.
/// </summary>
public sealed partial class BicepAppSettingsTests
{
    /// <summary>The configuration sections the app binds to options, and the options types bound to each.</summary>
    private static readonly Dictionary<string, Type[]> BoundSections = new(StringComparer.OrdinalIgnoreCase)
    {
        [FunctionAppSettings.Nightly] = [typeof(NightlyOptions)],
        [FunctionAppSettings.LocalJobRunner] = [typeof(LocalJobRunnerOptions)],
        [FunctionAppSettings.AzureMl] = [typeof(Rlhf.Activities.Jobs.AzureMl.AzureMlOptions)],
        [FunctionAppSettings.Labeling] = [typeof(LabelingOptions), typeof(LabelingApiOptions)],
        [RlhfApiOptions.SectionName] = [typeof(RlhfApiOptions)],
    };

    /// <summary>Settings read by the platform or an SDK rather than by our code, each with who reads it.</summary>
    private static readonly Dictionary<string, string> PlatformSettings = new(StringComparer.Ordinal)
    {
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "the Functions host's telemetry, and the worker's (Rlhf.Core.Telemetry.TelemetryExport)",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Entra ID auth of that telemetry (the component has local auth off)",
        ["AZURE_CLIENT_ID"] = "Azure.Identity: DefaultAzureCredential (artifact store, Azure OpenAI judge) picks the user-assigned identity",
    };

    /// <summary>Settings the app reads that the platform itself sets on every app (main.bicep must not), each with who sets it.</summary>
    private static readonly Dictionary<string, string> SetByPlatform = new(StringComparer.Ordinal)
    {
        ["WEBSITE_HOSTNAME"] = "App Service: the app's default host name, the base of the links the API writes",
    };

    /// <summary>Identity-based connection settings of the host storage connection (Azure Storage provider of the task hub).</summary>
    private static readonly string[] IdentityConnectionSuffixes = ["credential", "clientId", "blobServiceUri", "queueServiceUri", "tableServiceUri"];

    private static readonly Lazy<JsonNode> Compiled = new(Compile);

    private static readonly Lazy<IReadOnlyDictionary<string, JsonNode?>> BicepSettings = new(AppSettings);

    [Fact]
    public void MainBicepSetsEverySettingTheAppReads()
    {
        var set = BicepSettings.Value.Keys.Select(ConfigKey).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.All(RequiredSettings(), r => Assert.True(set.Contains(r.Name), $"main.bicep does not set '{r.Name}' ({r.ReadBy})"));
    }

    [Fact]
    public void EverySettingMainBicepSetsIsReadByTheApp()
    {
        var required = RequiredSettings().Select(r => r.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var functions = FunctionsMetadata().Select(f => (string)f["name"]!).ToHashSet(StringComparer.Ordinal);

        Assert.All(BicepSettings.Value.Keys, name =>
        {
            var key = ConfigKey(name);
            var read = required.Contains(key)
                || PlatformSettings.ContainsKey(name)
                || IsBoundOptionsProperty(key)
                || (DisabledSwitch().Match(name) is { Success: true } m && functions.Contains(m.Groups[1].Value));
            Assert.True(read, $"main.bicep sets '{name}', which nothing in the Function App reads");
        });
    }

    [Fact]
    public void EveryFunctionAppSettingsConstantIsASectionASettingOrAnExpression()
    {
        // A new constant is a bound section (add it to BoundSections), a setting the app needs (which must be set), or one
        // the platform sets on every app (add it to SetByPlatform, with who sets it).
        var leafSettings = RequiredSettings().Select(r => r.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.All(Constants(), c => Assert.True(
            BoundSections.ContainsKey(c.Value) || leafSettings.Contains(c.Value) || AppSettingReference().IsMatch(c.Value) || SetByPlatform.ContainsKey(c.Value),
            $"FunctionAppSettings.{c.Name} = '{c.Value}' is neither a bound section, a required setting nor one the platform sets"));
    }

    [Fact]
    public void AppReachesStorageAndTheSigningKeyByIdentity()
    {
        var settings = BicepSettings.Value;

        Assert.Equal("managedidentity", (string?)settings["AzureWebJobsStorage__credential"]);
        Assert.DoesNotContain(settings.Keys, k => k is "AzureWebJobsStorage" or "AzureWebJobsStorage__accountKey" or "FUNCTIONS_WORKER_RUNTIME");
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", (string?)settings["Rlhf__Labeling__TokenKey"], StringComparison.Ordinal);
    }

    [Fact]
    public void ArtifactStoreIsTheRlhfContainerThatTheStorageModuleCreates()
    {
        // The container the README documents and `rlhf serve --container` defaults to.
        Assert.Equal("rlhf", (string?)Compiled.Value["variables"]?["artifactContainerName"]);
        var deployments = Descendants(Compiled.Value).Where(o => (string?)o["type"] == "Microsoft.Resources/deployments").ToList();
        var parameters = deployments.Select(d => d["properties"]?["parameters"]).OfType<JsonObject>().ToList();

        var appContainer = Assert.Single(parameters, p => p.ContainsKey("artifactContainerName"))["artifactContainerName"]!["value"]!.GetValue<string>();
        var created = Assert.Single(parameters, p => p.ContainsKey("containerNames"))["containerNames"]!["value"]!.AsArray().Select(n => n!.GetValue<string>());

        Assert.Equal("[variables('artifactContainerName')]", appContainer);
        Assert.Contains(appContainer, created);
        Assert.EndsWith("parameters('artifactContainerName'))]", (string?)BicepSettings.Value["Rlhf__Storage__Location"], StringComparison.Ordinal);
    }

    /// <summary>What the code reads that has no default: leaf FunctionAppSettings, <c>%name%</c> references and the host storage connection.</summary>
    private static List<(string Name, string ReadBy)> RequiredSettings()
    {
        var hostJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json"));
        var metadata = File.ReadAllText(MetadataPath());
        var connection = (string?)JsonNode.Parse(hostJson)!["extensions"]?["durableTask"]?["storageProvider"]?["connectionName"] ?? "AzureWebJobsStorage";
        return
        [
            .. Constants().Where(c => !BoundSections.ContainsKey(c.Value) && !AppSettingReference().IsMatch(c.Value) && !SetByPlatform.ContainsKey(c.Value)).Select(c => (c.Value, $"FunctionAppSettings.{c.Name}")),
            .. AppSettingReference().Matches(hostJson).Select(m => (m.Groups[1].Value, "host.json")),
            .. AppSettingReference().Matches(metadata).Select(m => (m.Groups[1].Value, "functions.metadata")),
            .. IdentityConnectionSuffixes.Select(s => ($"{connection}:{s}", "the Functions host and the Durable Task Azure Storage provider (identity-based connection)")),
        ];
    }

    private static bool IsBoundOptionsProperty(string key)
    {
        var cut = key.LastIndexOf(':');
        while (cut > 0)
        {
            if (BoundSections.TryGetValue(key[..cut], out var types))
            {
                var rest = key[(cut + 1)..].Split(':');
                var property = types.Select(t => t.GetProperty(rest[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)).FirstOrDefault(p => p is not null);
                var isDictionary = property?.PropertyType.IsGenericType == true && property.PropertyType.GetGenericTypeDefinition() == typeof(IDictionary<,>);
                return property is not null && (rest.Length == 1 ? property.CanWrite : isDictionary && rest.Length == 2);
            }

            cut = key.LastIndexOf(':', cut - 1);
        }

        return false;
    }

    private static IEnumerable<(string Name, string Value)> Constants() =>
        typeof(FunctionAppSettings).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    /// <summary>App settings are environment variables: "__" is the configuration key separator.</summary>
    private static string ConfigKey(string appSetting) => appSetting.Replace("__", ":", StringComparison.Ordinal);

    private static string MetadataPath() => Path.Combine(AppContext.BaseDirectory, "FunctionApp", "functions.metadata");

    private static IEnumerable<JsonObject> FunctionsMetadata() => JsonNode.Parse(File.ReadAllText(MetadataPath()))!.AsArray().Select(f => f!.AsObject());

    /// <summary>The properties of the one <c>Microsoft.Web/sites/config</c> appsettings resource of the compiled template.</summary>
    private static IReadOnlyDictionary<string, JsonNode?> AppSettings()
    {
        var configs = Descendants(Compiled.Value)
            .Where(o => (string?)o["type"] == "Microsoft.Web/sites/config" && ((string?)o["name"])?.Contains("appsettings", StringComparison.Ordinal) == true)
            .ToList();
        var appSettings = Assert.Single(configs)["properties"]!.AsObject();
        return appSettings.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>Compiles main.bicep (modules inlined as nested deployments) to ARM JSON.</summary>
    private static JsonNode Compile()
    {
        var root = RepoRoot();
        var info = new ProcessStartInfo(BicepExecutable()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        foreach (var arg in new[] { "build", Path.Combine(root, "infra", "bicep", "main.bicep"), "--stdout" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "bicep build did not finish in 3 minutes");
        Assert.True(process.ExitCode == 0, $"bicep build failed: {stderr.Result}");
        return JsonNode.Parse(stdout.Result)!;
    }

    private static IEnumerable<JsonObject> Descendants(JsonNode node)
    {
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        if (node is JsonObject self)
        {
            yield return self;
        }

        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The Bicep CLI the PackageDownload restored (its folder is stamped into this assembly at build time).</summary>
    private static string BicepExecutable()
    {
        var folder = typeof(BicepAppSettingsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;
        var bicep = Path.Combine(folder, "tools", OperatingSystem.IsWindows() ? "bicep.exe" : "bicep");
        Assert.True(File.Exists(bicep), $"the Bicep CLI is not restored at {bicep} (dotnet restore tests/FunctionApp.Tests)");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(bicep) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute);
        }

        return bicep;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Pipeline.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("%([^%\"]+)%")]
    private static partial Regex AppSettingReference();

    [GeneratedRegex(@"^AzureWebJobs\.([A-Za-z0-9_]+)\.Disabled$")]
    private static partial Regex DisabledSwitch();
}
