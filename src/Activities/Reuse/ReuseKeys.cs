using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Reuse;

/// <summary>
/// The reuse keys (docs/reuse.md): a hash of everything that decides a step's outputs, and of nothing else.
/// <list type="bullet">
/// <item>A trainer step: the trainer code version, verb, parameters, seed, device and threads (both change floating-point
/// sums), and each input by the content hash of what it names (a file's SHA-256; a folder's SHA-256 over its files' paths
/// and hashes). Not the job id, output, store, checkpoint or progress cadence.</item>
/// <item>The labeling stage: the labeling code version, the sample shards' and prior preference files' hashes, the whole
/// labeling spec and the seed.</item>
/// <item>A human batch: the hash of the comparisons people are shown, how many people judge each and the principles they
/// judge by. No code version: people's answers do not depend on our code, and stored submissions are aggregated again by
/// the current code when reused.</item>
/// </list>
/// A build without code versions (<see cref="CodeVersions.Unknown"/>) has no keys for machine steps: it neither reuses nor is reused.
/// </summary>
public static class ReuseKeys
{
    public static string TrainerCode { get; } = CodeVersions.Of(typeof(ReuseKeys).Assembly, CodeVersions.TrainerKey);

    public static string LabelingCode { get; } = CodeVersions.Of(typeof(ReuseKeys).Assembly, CodeVersions.LabelingKey);

    public static async Task<string?> ForJobAsync(IArtifactStore store, JobSpec job, string codeVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(job);
        if (codeVersion == CodeVersions.Unknown)
        {
            return null;
        }

        var inputs = new JsonObject();
        foreach (var (name, path) in job.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            inputs[name] = await ContentHashAsync(store, path, cancellationToken);
        }

        return "step-" + CanonicalJson.Hash(new JsonObject
        {
            ["code"] = codeVersion,
            ["verb"] = job.Verb,
            ["params"] = job.Params.DeepClone(),
            ["seed"] = job.Seed,
            ["device"] = job.Device,
            ["threads"] = job.Threads,
            ["inputs"] = inputs,
        });
    }

    public static string? ForLabels(LabelComparisonsInput input, string codeVersion)
    {
        ArgumentNullException.ThrowIfNull(input);
        return codeVersion == CodeVersions.Unknown
            ? null
            : "labels-" + CanonicalJson.Hash(new JsonObject
            {
                ["code"] = codeVersion,
                ["shards"] = new JsonArray([.. input.SampleShards.Select(s => JsonValue.Create(s.Sha256))]),
                ["prior"] = new JsonArray([.. input.PriorPreferences.Select(p => JsonValue.Create(p.Sha256))]),
                ["labeling"] = JsonSerializer.SerializeToNode(input.Labeling, JsonDefaults.Options),
                ["seed"] = input.Seed,
            });
    }

    /// <param name="labeling">The spec the people label by (their principles only, when routing by principle).</param>
    public static string ForHumanBatch(ArtifactRef batch, LabelingSpec labeling)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(labeling);
        return "human-" + CanonicalJson.Hash(new JsonObject
        {
            ["comparisons"] = batch.Sha256,
            ["annotatorsPerComparison"] = labeling.AnnotatorsPerComparison,
            ["principles"] = JsonSerializer.SerializeToNode(labeling.Ai.Principles, JsonDefaults.Options),
        });
    }

    /// <summary>The SHA-256 of the artifact at <paramref name="path"/>, or of a folder: over its files' relative paths and hashes.</summary>
    public static async Task<string> ContentHashAsync(IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.GetRefAsync(path, cancellationToken) is { } file)
        {
            return file.Sha256;
        }

        var prefix = path.TrimEnd('/') + "/";
        var files = new JsonObject();
        await foreach (var item in store.ListAsync(prefix, cancellationToken))
        {
            var reference = await store.GetRefAsync(item, cancellationToken);
            if (reference is not null)
            {
                files[item[prefix.Length..]] = reference.Sha256;
            }
        }

        // an absent input hashes as empty: the job fails on it anyway, and never matches a step that had it
        return "folder-" + CanonicalJson.Hash(files, 64);
    }
}
