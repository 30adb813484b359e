using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities.Labeling;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Judges;

/// <summary>A temp-folder store, the committed lexicons, and small batches of real-looking continuations.</summary>
internal sealed class JudgeTestData : IDisposable
{
    public JudgeTestData()
    {
        Root = Directory.CreateTempSubdirectory("rlhf-judges-").FullName;
        Store = new LocalArtifactStore(Root);
    }

    public static GoldScorer Scorer { get; } = GoldScorer.Load(Path.Combine(AppContext.BaseDirectory, "data", "tiny", "lexicons"));

    /// <summary>The local constitution judge over the committed judge lexicons.</summary>
    public static Labeling.Judges.LocalConstitution Constitution { get; } = Labeling.Judges.LocalConstitution.Load(Path.Combine(AppContext.BaseDirectory, "data", "tiny", "lexicons"));

    public string Root { get; }

    public LocalArtifactStore Store { get; }

    public static SampleRecord Item(string promptId, string prompt, params string[] completions) =>
        new(promptId, prompt, [.. completions.Select(c => new SampleCompletion(c))]);

    public static LabelBatchInput Input(LabelingSpec labeling, int batchIndex = 0) =>
        new("judge-test", batchIndex, new ArtifactRef("unused", "0", 0), LabelingMode.Ai, labeling, Seed: 1);

    public async Task<IReadOnlyList<JudgeVerdict>> VerdictsAsync(int batchIndex = 0)
    {
        var path = Labeling.Judges.JudgeLayout.Verdicts("judge-test", batchIndex);
        return Jsonl.Deserialize<JudgeVerdict>(path, await Store.ReadAsync(path));
    }

    /// <summary>The in-process Durable Task engine with the production registrations over <see cref="Store"/>.</summary>
    public Task<DurableTaskTestHost> StartWorkflowHostAsync() =>
        DurableTaskTestHost.StartAsync(
            registry => registry.AddRlhfOrchestrationsAndActivities(),
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.AddLogging();
                    services.AddSingleton<IArtifactStore>(Store);
                    services.AddRlhfActivities(configureLabeling: l => l.LexiconDirectory = Path.Combine(AppContext.BaseDirectory, "data", "tiny", "lexicons"));
                },
            });

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
