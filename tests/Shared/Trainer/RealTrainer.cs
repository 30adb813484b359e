using Rlhf.Activities.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Tests.Shared;

/// <summary>
/// The real trainer behind <see cref="LocalJobRunner"/> in the workflow tests (<c>dotnet rlhf-trainer.dll</c>, copied
/// next to the test assembly by the TrainerJob project reference), and a run spec small enough to train for real in seconds.
/// Link into a test project that references src/Activities and src/TrainerJob with
/// <c>&lt;Compile Include="..\Shared\Trainer\RealTrainer.cs" Link="Shared\RealTrainer.cs" /&gt;</c>.
/// </summary>
internal static class RealTrainer
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "rlhf-trainer.dll");

    /// <summary>Points the runner at the real trainer; job logs and trainer scratch folders live under <paramref name="root"/>.</summary>
    public static void Configure(LocalJobRunnerOptions runner, string root, IDictionary<string, string>? environment = null)
    {
        runner.Launcher = "dotnet";
        runner.TrainerPath = Dll;
        runner.MaxConcurrentJobs = 2;
        runner.WorkDirectory = Path.Combine(root, ".work");
        // Trainer scratch folders are named after job ids: keep them per test so parallel test runs never share one.
        runner.EnvironmentVariables["RLHF_WORK_DIR"] = Path.Combine(root, ".trainer");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            runner.EnvironmentVariables[name] = value;
        }
    }

    /// <summary>
    /// A whole run on a 1-layer, 16-wide GPT over the committed tiny data set: SFT, K=3 completions for 12 prompts in
    /// two shards, simulated labels, reward model, one PPO iteration, evaluation on 4 held-out prompts.
    /// </summary>
    public static RunSpec TinySpec(int sftSteps = 12, int checkpointEvery = 50, double minImprovement = 0) => RunSpec.Parse($$"""
        {
          "name": "wf",
          "seed": 3,
          "basePolicy": {
            "source": "train",
            "sft": { "steps": {{sftSteps}}, "batchSize": 4, "blockSize": 32, "evalEvery": 0, "model": { "n_layer": 1, "n_head": 2, "n_embd": 16, "n_positions": 64 } }
          },
          "sampling": { "k": 3, "shards": 2, "maxNewTokens": 8, "promptLimit": 12 },
          "labeling": { "mode": "simulated", "batchSize": 4 },
          "rewardModel": { "params": { "epochs": 1, "batchSize": 8, "maxLength": 48 } },
          "policy": { "algorithm": "ppo", "ppo": { "iterations": 1, "rolloutBatchSize": 4, "maxNewTokens": 8, "ppoEpochs": 1 } },
          "evaluation": { "samplesPerPrompt": 1, "promptLimit": 4 },
          "publish": { "enabled": true, "metric": "gold", "minImprovement": {{minImprovement.ToString(System.Globalization.CultureInfo.InvariantCulture)}} },
          "compute": { "threads": 1, "maxAttempts": 2, "pollIntervalSeconds": 1, "checkpointEvery": {{checkpointEvery}} }
        }
        """);
}
