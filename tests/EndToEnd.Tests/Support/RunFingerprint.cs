using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.EndToEnd.Tests.Support;

/// <summary>
/// The SHA-256 of every step output of a run, keyed by its path relative to <c>runs/{runId}/</c>: the outputs listed
/// in each <c>manifest.json</c> under the run (model weights, samples, preferences, reward model, evaluation, metrics),
/// each re-hashed from the stored bytes. Manifests themselves are left out: they name the store, job ids and code version.
/// </summary>
internal sealed class RunFingerprint
{
    private RunFingerprint(IReadOnlyDictionary<string, string> hashes) => Hashes = hashes;

    public IReadOnlyDictionary<string, string> Hashes { get; }

    public static async Task<RunFingerprint> ReadAsync(IArtifactStore store, string runId)
    {
        var prefix = $"{ArtifactLayout.Run(runId)}/";
        var manifests = new List<string>();
        await foreach (var path in store.ListAsync(prefix))
        {
            if (path.EndsWith($"/{StepManifest.FileName}", StringComparison.Ordinal) && !path.Contains("/checkpoints/", StringComparison.Ordinal))
            {
                manifests.Add(path);
            }
        }

        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var manifest in manifests)
        {
            foreach (var output in (await store.ReadJsonAsync<StepManifest>(manifest)).Outputs)
            {
                if (output.Path.EndsWith($"/{StepManifest.FileName}", StringComparison.Ordinal))
                {
                    continue;
                }

                var actual = ContentHash.Sha256(await store.ReadAsync(output.Path));
                Assert.True(actual == output.Sha256, $"{output.Path} hashes to {actual}, but {manifest} lists {output.Sha256}");
                hashes[output.Path[prefix.Length..]] = actual;
            }
        }

        return new RunFingerprint(hashes);
    }

    /// <summary>
    /// Asserts that this run's outputs are byte-identical to <paramref name="baseline"/>'s, and that the comparison
    /// covered every kind of step output (SFT, PPO and reward model weights, samples, preferences, evaluation).
    /// </summary>
    public void AssertIdenticalTo(RunFingerprint baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        foreach (var expected in new[] { "sft/model/", "samples/shard-0/", "samples/shard-1/", "labels/preferences.jsonl", "reward/model/", "ppo/model/", "evaluate/" })
        {
            Assert.True(baseline.Hashes.Keys.Any(k => k.StartsWith(expected, StringComparison.Ordinal)), $"No step output under {expected} in [{string.Join(", ", baseline.Hashes.Keys)}]");
        }

        var differences = DifferencesFrom(baseline);
        Assert.True(
            differences.Count == 0,
            $"{differences.Count} of {baseline.Hashes.Count} step outputs differ from the undisturbed run (baseline vs this run):{Environment.NewLine}{string.Join(Environment.NewLine, differences)}");
    }

    /// <summary>Paths whose hash differs or that only one run has, one line each; empty when identical.</summary>
    public IReadOnlyList<string> DifferencesFrom(RunFingerprint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Hashes.Keys.Union(other.Hashes.Keys)
            .Order(StringComparer.Ordinal)
            .Select(path => (path, mine: Hashes.GetValueOrDefault(path, "(missing)"), theirs: other.Hashes.GetValueOrDefault(path, "(missing)")))
            .Where(d => d.mine != d.theirs)
            .Select(d => $"{d.path}: {d.theirs} vs {d.mine}")
            .ToList();
    }
}
