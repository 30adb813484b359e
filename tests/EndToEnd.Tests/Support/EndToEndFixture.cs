using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Cli.Hosting;
using Rlhf.Tests.Shared;

namespace Rlhf.EndToEnd.Tests.Support;

/// <summary>
/// Shared by the end-to-end tests: one in-memory Azurite, the run spec every test runs, and the undisturbed baseline
/// run of that spec (started at once on its own host, concurrently with the first test) whose artifact hashes the
/// disturbed runs must reproduce. Every run uses the same run id, in its own container, so even the run id that
/// preference records carry is the same.
/// </summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    /// <summary>The run id of every run (each pipeline has its own container and task hub).</summary>
    public const string RunId = "e2e";

    private readonly AzuriteFixture _azurite = new();
    private Task<RunFingerprint>? _baseline;

    /// <summary>
    /// <c>configs/tiny.json</c>, with SFT checkpointing every 100 of 600 steps (a few seconds of training after the first
    /// checkpoint), 160 prompts labeled in 80 batches of 2, 4 reward-model epochs, 60 PPO iterations and 40 × 4 held-out
    /// samples, so that a kill lands inside the step it aims
    /// at: since timers really wait and job exits wake their monitors, 8 batches labeled in 0.3 s and 6 PPO iterations took
    /// 1.4 s, too fast for the test to catch.
    /// </summary>
    public static string Spec { get; } = BuildSpec();

    public static TimeSpan RunTimeout { get; } = TimeSpan.FromMinutes(5);

    internal ServedPipeline NewPipeline(string name) => new(name, _azurite.ConnectionString);

    /// <summary>The undisturbed run's fingerprint (waits for it; rethrows its failure).</summary>
    internal Task<RunFingerprint> BaselineAsync() => _baseline ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _baseline = RunBaselineAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await (_baseline ?? Task.CompletedTask);
        }
        catch (Exception)
        {
            // reported by the tests that awaited it
        }

        await _azurite.DisposeAsync();
    }

    private async Task<RunFingerprint> RunBaselineAsync()
    {
        await Task.Yield();
        await using var pipeline = NewPipeline("base");
        await pipeline.StartHostAsync();
        await pipeline.StartRunAsync(RunId, Spec);
        await pipeline.WaitForCompletionAsync(RunId, RunTimeout);
        return await RunFingerprint.ReadAsync(pipeline.Store, RunId);
    }

    private static string BuildSpec()
    {
        var file = Path.Combine(RepoRoot.Find() ?? throw new DirectoryNotFoundException("Repository root (Pipeline.sln) not found."), "configs", "tiny.json");
        var spec = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        spec["name"] = "e2e";
        spec["basePolicy"]!["sft"]!["steps"] = 600;
        spec["compute"]!["checkpointEvery"] = 100;
        spec["sampling"]!["promptLimit"] = 160;
        spec["labeling"]!["batchSize"] = 2;
        spec["policy"]!["ppo"]!["iterations"] = 60;
        // the reward and evaluate jobs last long enough to be killed in too (a drill aims a kill at each stage; with one
        // epoch and 8 held-out prompts both took about a second, and a drill's last kills found the run already finished)
        spec["rewardModel"]!["params"]!["epochs"] = 4;
        spec["evaluation"]!["promptLimit"] = 80;   // 40 took about a second after a restart on a fast machine: a drill's sixth kill found the run finished
        spec["evaluation"]!["samplesPerPrompt"] = 4;
        return spec.ToJsonString();
    }
}

/// <summary>The end-to-end test classes share one <see cref="EndToEndFixture"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<EndToEndFixture>
{
    public const string Name = "end-to-end";
}
