using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// <c>{output}/checkpoints/step-{000120}/checkpoint.json</c>, written after every other file of the
/// checkpoint, so its presence marks the checkpoint complete. Lists the files with their SHA-256 (checked
/// on resume) and holds the small state: step, data cursor, RNG states and the verb's opaque extra state.
/// </summary>
public sealed record CheckpointRecord
{
    public const string FileName = "checkpoint.json";

    /// <summary>Optimiser steps completed when the checkpoint was taken; training resumes at <c>Step + 1</c>.</summary>
    public required long Step { get; init; }

    /// <summary>Position in the verb's data stream (e.g. next prompt index); 0 for verbs whose data order comes from the RNG.</summary>
    public long DataCursor { get; init; }

    /// <summary>State of the job's <see cref="JobContext.Generator"/> (<c>torch.Generator.get_state()</c> bytes).</summary>
    public required byte[] JobRng { get; init; }

    /// <summary>State of libtorch's default CPU generator (dropout, weight init).</summary>
    public required byte[] TorchRng { get; init; }

    /// <summary>Verb-specific state (PPO: the KL controller), returned as is on resume.</summary>
    public JsonNode? Extra { get; init; }

    /// <summary>Every other file of the checkpoint: weights (<c>{name}.safetensors</c>), optimiser state (<c>{name}.optim</c>), <c>metrics.jsonl</c>.</summary>
    public IReadOnlyList<ArtifactRef> Files { get; init; } = [];
}

/// <summary>Where a resumed job picks up: the checkpoint's step, data cursor and extra state (modules, optimisers and RNGs are already restored).</summary>
public sealed record ResumePoint(long Step, long DataCursor, JsonNode? Extra);
