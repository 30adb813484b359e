using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.TrainerJob.Tests.Verbs;

namespace Rlhf.TrainerJob.Tests.Runtime;

public sealed class KillAndResumeTests : IDisposable
{
    private readonly TrainerWorkspace _workspace = new();

    [Fact]
    public async Task KilledSftResumesFromItsCheckpointToBitIdenticalWeightsAndMetrics()
    {
        var inputs = new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath };
        var straight = _workspace.WriteSpec(_workspace.Spec("sft", "straight", "runs/a/sft", inputs.DeepClone().AsObject(), SftVerbTests.TinyParams(60), checkpointEvery: 10), "straight");
        var killed = _workspace.WriteSpec(_workspace.Spec("sft", "killed", "runs/b/sft", inputs.DeepClone().AsObject(), SftVerbTests.TinyParams(60), checkpointEvery: 10), "killed");

        // Uninterrupted reference run.
        var reference = await _workspace.RunProcessAsync("sft", straight);
        Assert.True(reference.ExitCode == 0, reference.Error);

        // Same spec, killed after its step-20 checkpoint, mid-way to the next one.
        var crashed = await _workspace.RunProcessAsync("sft", killed, crashAtStep: 25);
        Assert.Equal(137, crashed.ExitCode);
        Assert.True(await _workspace.Store.ExistsAsync("runs/b/sft/checkpoints/step-000020/checkpoint.json"));
        Assert.Equal("running", (await _workspace.ReadJsonAsync("runs/b/sft/status.json"))["state"]!.GetValue<string>());

        Assert.False(await _workspace.Store.ExistsAsync("runs/b/sft/manifest.json"));
        var resumed = await _workspace.RunProcessAsync("sft", killed);

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var resumedAt = int.Parse(System.Text.RegularExpressions.Regex.Match(resumed.Output, "resumed from checkpoint at step ([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(20, resumedAt);
        var status = await _workspace.ReadJsonAsync("runs/b/sft/status.json");
        Assert.Equal(2, status["attempt"]!.GetValue<int>());
        Assert.Equal(await ShaAsync("runs/a/sft/model/model.safetensors"), await ShaAsync("runs/b/sft/model/model.safetensors"));
        Assert.Equal(await ShaAsync("runs/a/sft/metrics.jsonl"), await ShaAsync("runs/b/sft/metrics.jsonl"));
        // Only the newest checkpoints are kept.
        var markers = (await _workspace.ListAsync("runs/b/sft/checkpoints/")).Where(p => p.EndsWith("/checkpoint.json", StringComparison.Ordinal)).ToList();
        Assert.Equal(["runs/b/sft/checkpoints/step-000040/checkpoint.json", "runs/b/sft/checkpoints/step-000050/checkpoint.json"], markers);
    }

    [Fact]
    public async Task CompletedJobIsNotRunAgain()
    {
        var spec = _workspace.WriteSpec(_workspace.Spec("sft", "once", "runs/c/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, SftVerbTests.TinyParams(10)), "once");
        var first = await _workspace.RunInProcessAsync("sft", spec);
        var statusBefore = await _workspace.Store.ReadAsync("runs/c/sft/status.json");

        var second = await _workspace.RunInProcessAsync("sft", spec);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Contains("already complete", second.Output, StringComparison.Ordinal);
        Assert.Equal(statusBefore, await _workspace.Store.ReadAsync("runs/c/sft/status.json"));
    }

    private async Task<string> ShaAsync(string path) => (await ContentHash.Sha256FileAsync(_workspace.Store.GetFilePath(path))).Sha256;

    public void Dispose() => _workspace.Dispose();
}
