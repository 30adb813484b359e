using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Api;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.FunctionApp.Nightly;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// <c>functions.metadata</c> as the Functions host will index it (the file the FunctionApp build emitted, copied
/// next to the tests): every orchestrator and activity is a function of the right trigger type under its
/// <see cref="TaskNames"/> name, and the HTTP functions expose exactly the routes the local host maps.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly string[] Orchestrators =
        [TaskNames.RlhfRun, TaskNames.CollectSamples, TaskNames.LabelComparisons, TaskNames.RunTrainingJob, TaskNames.NightlyRetrain, TaskNames.SupervisedCai];

    private static readonly string[] ActivityNames =
    [
        TaskNames.SubmitJob, TaskNames.GetJobStatus, TaskNames.CancelJob, TaskNames.ResolveChampion, TaskNames.ResolveLabelPool, TaskNames.AdvanceLabelPool, TaskNames.PrepareLabelBatches,
        TaskNames.LabelBatch, TaskNames.MergePreferences, TaskNames.RemindLabelers, TaskNames.PublishIfBetter, TaskNames.WriteRunManifest,
        TaskNames.PrepareCaiPrompts, TaskNames.CritiqueResponses, TaskNames.ReviseResponses, TaskNames.WriteCaiCorpus,
        TaskNames.FindReusableStep, TaskNames.RecordReusableStep, TaskNames.FindReusableLabels, TaskNames.RecordReusableLabels,
        TaskNames.FindHumanLabels, TaskNames.RecordHumanLabels,
    ];

    private static readonly Lazy<Dictionary<string, JsonObject>> Functions = new(Load);

    [Fact]
    public void EveryTaskNameIsAnOrchestratorOrAnActivityOfThisTest()
    {
        // a task added to TaskNames must be added here too, so the checks below cover it
        var constants = typeof(TaskNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(constants.Order(), Orchestrators.Concat(ActivityNames).Order());
    }

    [Fact]
    public void EveryOrchestratorIsAnOrchestrationTriggerFunction()
    {
        foreach (var name in Orchestrators)
        {
            Assert.True(Functions.Value.ContainsKey(name), $"no function '{name}' in functions.metadata");
            Assert.Equal(["orchestrationTrigger"], TypesOf(Functions.Value[name]));
        }
    }

    [Fact]
    public void EveryActivityIsAnActivityTriggerFunction()
    {
        foreach (var name in ActivityNames)
        {
            Assert.True(Functions.Value.ContainsKey(name), $"no function '{name}' in functions.metadata");
            Assert.Equal(["activityTrigger"], TypesOf(Functions.Value[name]));
        }
    }

    [Fact]
    public void NightlyTimerReadsItsScheduleFromTheAppSettingAndGetsADurableClient()
    {
        var timer = Functions.Value[NightlyFunction.Name];
        var trigger = Binding(timer, "timerTrigger");
        Assert.Equal("%Rlhf:Nightly:Schedule%", (string?)trigger["schedule"]);
        Assert.Equal("In", (string?)Binding(timer, "durableClient")["direction"]);
    }

    [Fact]
    public void HttpFunctionsServeTheSameRoutesAndMethodsAsTheLocalHost()
    {
        var http = Functions.Value.Values.Where(f => TypesOf(f).Contains("httpTrigger")).ToList();
        var functionRoutes = http
            .SelectMany(f => Binding(f, "httpTrigger")["methods"]!.AsArray().Select(m => $"{((string)m!).ToUpperInvariant()} /api/{(string?)Binding(f, "httpTrigger")["route"]}"))
            .Select(r => r.Replace("{*", "{**", StringComparison.Ordinal))
            .Order()
            .ToList();

        Assert.Equal(LocalHostRoutes(), functionRoutes);
        // the labeling page and its two calls are anonymous: the signed per-labeler token in each request is the credential
        string[] labelerFacing = ["LabelPageHtml", "GetLabelBatch", "SubmitLabels"];
        Assert.All(http, f => Assert.Equal(labelerFacing.Contains((string?)f["name"]) ? "Anonymous" : "Function", (string?)Binding(f, "httpTrigger")["authLevel"]));
        Assert.All(http, f => Assert.Equal("Out", (string?)Binding(f, "http")["direction"]));
        // every handler that talks to the orchestrations gets a DurableTaskClient; the artifact download and the static page do not
        Assert.All(http.Where(f => (string?)f["name"] is not ("GetRunArtifact" or "LabelPageHtml")), f => Binding(f, "durableClient"));
    }

    private static List<string> TypesOf(JsonObject function) =>
        [.. function["bindings"]!.AsArray().Select(b => (string)b!["type"]!).Where(t => t != "http")];

    private static JsonObject Binding(JsonObject function, string type) =>
        function["bindings"]!.AsArray().Select(b => b!.AsObject()).SingleOrDefault(b => (string?)b["type"] == type)
        ?? throw new Xunit.Sdk.XunitException($"function '{function["name"]}' has no {type} binding");

    /// <summary>The routes <see cref="RlhfApiEndpoints.MapRlhfApi"/> maps in the local host, as "METHOD /pattern".</summary>
    private static List<string> LocalHostRoutes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<DurableTaskClient>(_ => throw new NotSupportedException("routes only"));
        builder.Services.AddSingleton<IArtifactStore>(_ => throw new NotSupportedException("routes only"));
        builder.Services.AddRlhfApi();
        using var app = builder.Build();
        app.MapRlhfApi();
        return ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(d => d.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods
                .Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .Order()
            .ToList();
    }

    private static Dictionary<string, JsonObject> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "FunctionApp", "functions.metadata");
        Assert.True(File.Exists(path), $"the FunctionApp build emitted no functions.metadata ({path})");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray()
            .Select(f => f!.AsObject())
            .ToDictionary(f => (string)f["name"]!, StringComparer.Ordinal);
    }
}
