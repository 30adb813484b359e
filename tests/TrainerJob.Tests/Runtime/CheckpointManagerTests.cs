using Rlhf.Core.Artifacts;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Runtime;

public sealed class CheckpointManagerTests : IDisposable
{
    private static readonly GptConfig Tiny = new(VocabSize: 20, NPositions: 8, NEmbd: 8, NLayer: 1, NHead: 2);
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-ckpt-test-").FullName;

    [Fact]
    public async Task AdamWMomentsStepCountsWeightsAndRngRoundTripExactly()
    {
        var (model, optimizer, generator, manager) = Create(seed: 1);
        Train(model, optimizer, generator, steps: 3);
        await manager.SaveAsync(3, dataCursor: 42, extra: new System.Text.Json.Nodes.JsonObject { ["klCoef"] = 0.2 });

        var (restoredModel, restoredOptimizer, restoredGenerator, restoredManager) = Create(seed: 99);
        var resumed = await restoredManager.ResumeAsync();

        Assert.NotNull(resumed);
        Assert.Equal((3L, 42L, 0.2), (resumed.Step, resumed.DataCursor, resumed.Extra!["klCoef"]!.GetValue<double>()));
        foreach (var (name, weight) in model.state_dict())
        {
            Assert.True(weight.eq(restoredModel.state_dict()[name]).all().item<bool>(), name);
        }

        var saved = optimizer.state_dict().State.Cast<AdamW.State>().ToList();
        var loaded = restoredOptimizer.state_dict().State.Cast<AdamW.State>().ToList();
        Assert.Equal(saved.Count, loaded.Count);
        Assert.Equal(model.parameters().Count(), saved.Count);
        for (var i = 0; i < saved.Count; i++)
        {
            Assert.Equal(3, saved[i].step);
            Assert.Equal(saved[i].step, loaded[i].step);
            Assert.True(saved[i].exp_avg.eq(loaded[i].exp_avg).all().item<bool>(), $"exp_avg {i}");
            Assert.True(saved[i].exp_avg_sq.eq(loaded[i].exp_avg_sq).all().item<bool>(), $"exp_avg_sq {i}");
            Assert.True(saved[i].exp_avg.abs().sum().item<float>() > 0, "moments are non-trivial");
        }

        Assert.True(randint(0, 1000, [8], generator: generator).eq(randint(0, 1000, [8], generator: restoredGenerator)).all().item<bool>());
    }

    [Fact]
    public async Task TrainingAfterResumeIsBitIdenticalToUninterruptedTraining()
    {
        var (model, optimizer, generator, _) = Create(seed: 5);
        // Both runs start from these weights, copied rather than drawn again from libtorch's global generator, so the
        // comparison does not depend on what else in this process drew from it.
        var initial = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        Train(model, optimizer, generator, steps: 6);

        var (first, firstOptimizer, firstGenerator, firstManager) = Create(seed: 5);
        using (no_grad())
        {
            foreach (var (name, weight) in first.state_dict())
            {
                weight.copy_(initial[name]);
            }
        }

        Train(first, firstOptimizer, firstGenerator, steps: 3);
        await firstManager.SaveAsync(3);
        var (second, secondOptimizer, secondGenerator, secondManager) = Create(seed: 123);
        await secondManager.ResumeAsync();
        Train(second, secondOptimizer, secondGenerator, steps: 3);

        foreach (var (name, weight) in model.state_dict())
        {
            Assert.True(weight.eq(second.state_dict()[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public async Task IncompleteCheckpointIsIgnoredAndOldOnesArePruned()
    {
        var (model, optimizer, generator, manager) = Create(seed: 2);
        foreach (var step in new[] { 1L, 2, 3 })
        {
            Train(model, optimizer, generator, steps: 1);
            await manager.SaveAsync(step);
        }

        // A checkpoint killed before its marker was written: weights only.
        var store = new LocalArtifactStore(Path.Combine(_root, "store"));
        await store.PutAsync("job/checkpoints/step-000004/model.safetensors", new byte[] { 1, 2, 3 });

        Assert.Equal([3L, 2L], await manager.CompleteStepsAsync());
        var (_, _, _, fresh) = Create(seed: 3);
        Assert.Equal(3L, (await fresh.ResumeAsync())!.Step);
    }

    private (Gpt Model, AdamW Optimizer, Generator Generator, CheckpointManager Manager) Create(long seed)
    {
        torch.random.manual_seed(seed);
        var model = new Gpt(Tiny);
        var optimizer = AdamWFactory.Create([model], 1e-2, 0.9, 0.95, 0.1);
        var generator = new Generator((ulong)seed);
        var store = new LocalArtifactStore(Path.Combine(_root, "store"));
        var metrics = new MetricsLog(Path.Combine(_root, $"metrics-{seed}.jsonl"));
        var manager = new CheckpointManager(store, new InputStager(store, Path.Combine(_root, "cache")), "job", every: 1, Path.Combine(_root, $"work-{seed}"), metrics, generator, TextWriter.Null);
        manager.Track("model", model);
        manager.Track("optimizer", optimizer);
        return (model, optimizer, generator, manager);
    }

    private static void Train(Gpt model, AdamW optimizer, Generator generator, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var tokens = randint(0, Tiny.VocabSize, [4, 8], generator: generator);        // (B, T)
            var logits = model.forward(tokens);                                             // (B, T, V)
            var loss = nn.functional.cross_entropy(logits[.., ..^1].reshape(-1, Tiny.VocabSize), tokens[.., 1..].reshape(-1));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
