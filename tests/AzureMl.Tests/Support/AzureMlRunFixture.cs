using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Rlhf.EndToEnd.Tests.Support;
using Rlhf.Tests.Shared;

namespace Rlhf.AzureMl.Tests.Support;

/// <summary>
/// One spec run twice, one run after the other on this machine, each on its own in-process host over one Azurite and under
/// the same run id: with <c>compute.runner: "local"</c> (trainers as child processes) and with <c>"azureml"</c> (every job
/// through ARM to the stand-in, which runs the same trainer build). The hosts and the stand-in stay up for the tests. The
/// spec is the workflow tests' tiny one (a 1-layer, 16-wide GPT; 12 prompts, K=3 in two shards; 3 PPO iterations with a
/// checkpoint after every step), so a run takes seconds on an idle machine. Reuse is off: every test here is about jobs that
/// really run (a run with the same spec would otherwise take the first run's steps and submit nothing).
/// </summary>
public sealed class AzureMlRunFixture : IAsyncLifetime
{
    public const string RunId = "aml";

    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    private readonly AzuriteFixture _azurite = new();
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-aml-run-").FullName;

    internal AzureMlStandIn StandIn { get; private set; } = null!;

    /// <summary>The host whose Azure ML settings point at the stand-in.</summary>
    internal AzureMlHost AzureMlHost { get; private set; } = null!;

    /// <summary>A host without Azure ML settings.</summary>
    internal AzureMlHost LocalHost { get; private set; } = null!;

    internal RunFingerprint LocalOutputs { get; private set; } = null!;

    internal RunFingerprint AzureMlOutputs { get; private set; } = null!;

    public TimeSpan LocalWallTime { get; private set; }

    public TimeSpan AzureMlWallTime { get; private set; }

    /// <summary>The stand-in's calls during the azureml run, per route.</summary>
    public IReadOnlyDictionary<string, int> RunCalls { get; private set; } = null!;

    public int RunJobs { get; private set; }

    public static string Spec(string runner, JsonObject? azureml = null)
    {
        var spec = JsonNode.Parse("""
            {
              "name": "aml",
              "seed": 3,
              "reuse": false,
              "basePolicy": {
                "source": "train",
                "sft": { "steps": 12, "batchSize": 4, "blockSize": 32, "evalEvery": 0, "model": { "n_layer": 1, "n_head": 2, "n_embd": 16, "n_positions": 64 } }
              },
              "sampling": { "k": 3, "shards": 2, "maxNewTokens": 8, "promptLimit": 12 },
              "labeling": { "mode": "simulated", "batchSize": 4 },
              "rewardModel": { "params": { "epochs": 1, "batchSize": 8, "maxLength": 48 } },
              "policy": { "algorithm": "ppo", "ppo": { "iterations": 3, "rolloutBatchSize": 4, "maxPromptTokens": 32, "maxNewTokens": 8, "ppoEpochs": 1 } },
              "evaluation": { "samplesPerPrompt": 1, "promptLimit": 4 },
              "compute": { "threads": 1, "maxAttempts": 2, "pollIntervalSeconds": 1, "jobTimeoutMinutes": 10, "checkpointEvery": 1 }
            }
            """)!;
        spec["compute"]!["runner"] = runner;
        if (azureml is not null)
        {
            spec["compute"]!["azureml"] = azureml;
        }

        return spec.ToJsonString();
    }

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        StandIn = await AzureMlStandIn.StartAsync(StandInWorkspace.Default, Path.Combine(AppContext.BaseDirectory, "rlhf-trainer.dll"), _root);
        LocalHost = await AzureMlHost.StartAsync(_azurite.ConnectionString, standIn: null);
        AzureMlHost = await AzureMlHost.StartAsync(_azurite.ConnectionString, StandIn);
        (LocalOutputs, LocalWallTime) = await RunAsync(LocalHost, "local");
        (AzureMlOutputs, AzureMlWallTime) = await RunAsync(AzureMlHost, "azureml");
        RunCalls = StandIn.CallsByRoute();
        RunJobs = StandIn.Jobs.Count;
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in new IAsyncDisposable?[] { AzureMlHost, LocalHost, StandIn })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }

        await _azurite.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a killed trainer may still hold a file for a moment
        }
    }

    private static async Task<(RunFingerprint Outputs, TimeSpan WallTime)> RunAsync(AzureMlHost host, string runner)
    {
        var clock = Stopwatch.StartNew();
        using var started = await host.PostRunAsync(RunId, Spec(runner));
        if (started.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/runs ({runner}) answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        }

        var run = await host.WaitAsync(RunId, RunTimeout);
        var wall = clock.Elapsed;
        return run.RuntimeStatus == "Completed"
            ? (await RunFingerprint.ReadAsync(host.Store, RunId), wall)
            : throw new InvalidOperationException($"The {runner} run ended {run.RuntimeStatus}: {run.Error}");
    }
}
