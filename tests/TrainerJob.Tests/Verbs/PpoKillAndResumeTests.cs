using Rlhf.Core.Artifacts;
using Rlhf.TrainerJob.Tests.Runtime;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class PpoKillAndResumeTests(PpoFixture fixture) : IClassFixture<PpoFixture>
{
    private readonly TrainerWorkspace _workspace = fixture.Workspace;

    /// <summary>
    /// A job interrupted after its step-8 checkpoint, resubmitted, must end exactly where an uninterrupted one does.
    /// The interruption is made deterministic: the first attempt runs 12 of the 24 iterations (checkpoints at 4 and 8;
    /// nothing in an iteration depends on the total), then everything but its checkpoints and status is deleted, which
    /// is what a job killed between step 8 and its end leaves behind.
    /// </summary>
    [Fact]
    public async Task InterruptedPpoResumesToBitIdenticalPolicyCriticAndMetrics()
    {
        // Adaptive β with a low target, so the KL-controller state carried by the checkpoint matters.
        var parameters = PpoVerbTests.TinyParams(24);
        parameters["klTarget"] = 1.0;
        parameters["klHorizon"] = 50;
        var partial = parameters.DeepClone().AsObject();
        partial["iterations"] = 12;
        var straight = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-straight", "runs/s/ppo", PpoVerbTests.Inputs(), parameters.DeepClone().AsObject(), checkpointEvery: 4), "ppo-straight");
        var interrupted = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-resumed", "runs/k/ppo", PpoVerbTests.Inputs(), partial, checkpointEvery: 4), "ppo-first");
        var resubmitted = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-resumed", "runs/k/ppo", PpoVerbTests.Inputs(), parameters.DeepClone().AsObject(), checkpointEvery: 4), "ppo-second");

        var reference = await _workspace.RunProcessAsync("ppo", straight);
        var first = await _workspace.RunProcessAsync("ppo", interrupted);
        Assert.True(reference.ExitCode == 0 && first.ExitCode == 0, reference.Error + first.Error);
        foreach (var path in (await _workspace.ListAsync("runs/k/ppo/")).Where(p => !p.StartsWith("runs/k/ppo/checkpoints/", StringComparison.Ordinal) && !p.EndsWith("/status.json", StringComparison.Ordinal)))
        {
            await _workspace.Store.DeletePrefixAsync(path);
        }

        var resumed = await _workspace.RunProcessAsync("ppo", resubmitted);

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("resumed from checkpoint at step 8 ", resumed.Output, StringComparison.Ordinal);
        foreach (var file in new[] { "model/model.safetensors", "value/model.safetensors", "value/value.safetensors", "metrics.jsonl" })
        {
            Assert.Equal(await ShaAsync($"runs/s/ppo/{file}"), await ShaAsync($"runs/k/ppo/{file}"));
        }
    }

    /// <summary>
    /// The same for GRPO with held-out checks: the checkpoint carries the checks so far and the kept policy, so the resumed
    /// job keeps the same best and writes the same <c>heldout.json</c>. Checks every 3 iterations: the first attempt's last
    /// check (its iteration 12) comes after its step-8 checkpoint and is lost with the rest, as in a real kill.
    /// </summary>
    [Fact]
    public async Task InterruptedGrpoResumesToBitIdenticalPolicyAndHeldoutChecks()
    {
        var parameters = CriticFreeVerbTests.TinyParams(24);
        parameters["beta"] = 0.02;
        parameters["heldoutEvery"] = 3;
        parameters["heldoutPrompts"] = 4;
        parameters["keepBest"] = "gold";
        var partial = parameters.DeepClone().AsObject();
        partial["iterations"] = 12;
        static System.Text.Json.Nodes.JsonObject Inputs()
        {
            var inputs = PpoVerbTests.Inputs(lexicons: true);
            inputs["heldout"] = PpoFixture.PromptsPath;
            return inputs;
        }

        var straight = _workspace.WriteSpec(_workspace.Spec("grpo", "grpo-straight", "runs/gs/grpo", Inputs(), parameters.DeepClone().AsObject(), checkpointEvery: 4), "grpo-straight");
        var interrupted = _workspace.WriteSpec(_workspace.Spec("grpo", "grpo-resumed", "runs/gk/grpo", Inputs(), partial, checkpointEvery: 4), "grpo-first");
        var resubmitted = _workspace.WriteSpec(_workspace.Spec("grpo", "grpo-resumed", "runs/gk/grpo", Inputs(), parameters.DeepClone().AsObject(), checkpointEvery: 4), "grpo-second");

        var reference = await _workspace.RunProcessAsync("grpo", straight, TimeSpan.FromSeconds(180));
        var first = await _workspace.RunProcessAsync("grpo", interrupted, TimeSpan.FromSeconds(180));
        Assert.True(reference.ExitCode == 0 && first.ExitCode == 0, reference.Error + first.Error);
        foreach (var path in (await _workspace.ListAsync("runs/gk/grpo/")).Where(p => !p.StartsWith("runs/gk/grpo/checkpoints/", StringComparison.Ordinal) && !p.EndsWith("/status.json", StringComparison.Ordinal)))
        {
            await _workspace.Store.DeletePrefixAsync(path);
        }

        var resumed = await _workspace.RunProcessAsync("grpo", resubmitted, TimeSpan.FromSeconds(180));

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("resumed from checkpoint at step 8 ", resumed.Output, StringComparison.Ordinal);
        foreach (var file in new[] { "model/model.safetensors", "heldout.json", "metrics.jsonl" })
        {
            Assert.Equal(await ShaAsync($"runs/gs/grpo/{file}"), await ShaAsync($"runs/gk/grpo/{file}"));
        }
    }

    private async Task<string> ShaAsync(string path) => (await ContentHash.Sha256FileAsync(_workspace.Store.GetFilePath(path))).Sha256;
}
