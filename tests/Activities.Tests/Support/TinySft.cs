using System.Text.Json.Nodes;
using Rlhf.Activities.Jobs;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Activities.Tests.Support;

/// <summary>A real <c>sft</c> job small enough to run in seconds, its corpus, and polling a runner until a state.</summary>
internal static class TinySft
{
    public const string Corpus = "data/corpus.txt";

    /// <summary>Puts a 20,000-byte slice of the committed tiny corpus at <see cref="Corpus"/>.</summary>
    public static async Task SeedCorpusAsync(IArtifactStore store)
    {
        var corpus = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "data", "tiny", "corpus.txt"));
        await store.PutAsync(Corpus, System.Text.Encoding.UTF8.GetBytes(corpus[..20_000]));
    }

    /// <summary>A from-scratch <c>sft</c> job: batches of 2 windows of 16 bytes, heartbeat at step 0, every 10 steps and at the end.</summary>
    public static JobSpec Spec(string store, string jobId, string output, int steps) => new()
    {
        Verb = JobVerbs.Sft,
        JobId = jobId,
        Store = store,
        Output = output,
        Inputs = new Dictionary<string, string> { [JobInputs.Corpus] = Corpus },
        Params = new JsonObject
        {
            ["steps"] = steps,
            ["batchSize"] = 2,
            ["blockSize"] = 16,
            ["warmupSteps"] = 1,
            ["evalEvery"] = 0,
            ["evalWindows"] = 4,
            ["model"] = new JsonObject { ["n_layer"] = 1, ["n_head"] = 2, ["n_embd"] = 16, ["n_positions"] = 16 },
        },
        Seed = 3,
        Threads = 1,
        CheckpointEvery = 0,
        ProgressEvery = 10,
    };

    public static bool Finished(JobProgress progress) => progress.State is JobState.Succeeded or JobState.Failed or JobState.Lost;

    public static async Task<JobProgress> UntilAsync(IJobRunner runner, JobHandle job, Func<JobProgress, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var progress = await runner.GetStatusAsync(job);
            if (done(progress))
            {
                return progress;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"job {job.JobId} never reached the expected state; last: {progress}");
            }

            await Task.Delay(100);
        }
    }
}
