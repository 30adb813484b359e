using System.Globalization;
using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// Resumable checkpoints under <c>{output}/checkpoints/step-{000120}/</c>: the weights of every tracked module
/// (safetensors), the state of every tracked optimiser (TorchSharp's <c>save_state_dict</c>: AdamW step counts and
/// moments, bit-exact), the log <c>metrics.jsonl</c> so far, and <see cref="CheckpointRecord"/> (step, data cursor,
/// job and libtorch RNG states, extra state) written last. A verb tracks its modules and optimisers once, calls
/// <see cref="ResumeAsync"/> before its loop and <see cref="SaveAsync"/> whenever <see cref="IsDue"/>.
/// The newest <see cref="Keep"/> complete checkpoints are kept; older ones are deleted.
/// </summary>
public sealed class CheckpointManager
{
    public const int Keep = 2;

    private readonly IArtifactStore _store;
    private readonly InputStager _stager;
    private readonly string _root;
    private readonly string _workDir;
    private readonly MetricsLog _metrics;
    private readonly Generator _generator;
    private readonly TextWriter _log;
    private readonly AttemptTelemetry? _telemetry;
    private readonly List<(string Name, nn.Module Module)> _modules = [];
    private readonly List<(string Name, OptimizerHelper Optimizer)> _optimizers = [];

    public CheckpointManager(
        IArtifactStore store, InputStager stager, string output, int every, string workDir, MetricsLog metrics, Generator generator, TextWriter log,
        AttemptTelemetry? telemetry = null)
    {
        _store = store;
        _stager = stager;
        _root = $"{output.TrimEnd('/')}/checkpoints";
        Every = every;
        _workDir = workDir;
        _metrics = metrics;
        _generator = generator;
        _log = log;
        _telemetry = telemetry;
    }

    /// <summary>Checkpoint interval in optimiser steps (<c>spec.checkpointEvery</c>; 0 = never).</summary>
    public int Every { get; }

    /// <summary>The store prefix of the checkpoint for <paramref name="step"/>.</summary>
    public string PathFor(long step) => $"{_root}/step-{step.ToString("D6", CultureInfo.InvariantCulture)}";

    /// <summary>Saves <paramref name="module"/>'s weights in every checkpoint as <c>{name}.safetensors</c>.</summary>
    public void Track(string name, nn.Module module)
    {
        ArtifactPath.Validate(name);
        _modules.Add((name, module));
    }

    /// <summary>Saves <paramref name="optimizer"/>'s state (per-parameter moments and step counts, group options) as <c>{name}.optim</c>.</summary>
    public void Track(string name, OptimizerHelper optimizer)
    {
        ArtifactPath.Validate(name);
        _optimizers.Add((name, optimizer));
    }

    /// <summary>True when a checkpoint is due after <paramref name="step"/> (not after the last step: the outputs cover it).</summary>
    public bool IsDue(long step, long totalSteps) => Every > 0 && step > 0 && step < totalSteps && step % Every == 0;

    /// <summary>Writes the checkpoint for <paramref name="step"/> (files first, <c>checkpoint.json</c> last), then prunes old ones.</summary>
    public async Task SaveAsync(long step, long dataCursor = 0, JsonNode? extra = null, CancellationToken cancellationToken = default)
    {
        var prefix = PathFor(step);
        // A killed attempt may have left part of this checkpoint; blobs are write-once, so clear it first.
        await _store.DeletePrefixAsync(prefix + "/", cancellationToken).ConfigureAwait(false);
        var local = Path.Combine(_workDir, "checkpoint-out");
        if (Directory.Exists(local))
        {
            Directory.Delete(local, recursive: true);
        }

        Directory.CreateDirectory(local);
        var files = new List<ArtifactRef>();
        foreach (var (name, module) in _modules)
        {
            var file = Path.Combine(local, name + ".safetensors");
            module.save_safetensors(file);
            files.Add(await _store.PutFileAsync($"{prefix}/{name}.safetensors", file, cancellationToken).ConfigureAwait(false));
        }

        foreach (var (name, optimizer) in _optimizers)
        {
            var file = Path.Combine(local, name + ".optim");
            optimizer.save_state_dict(file);
            files.Add(await _store.PutFileAsync($"{prefix}/{name}.optim", file, cancellationToken).ConfigureAwait(false));
        }

        files.Add(await _store.PutAsync($"{prefix}/metrics.jsonl", _metrics.ReadAll(), cancellationToken).ConfigureAwait(false));
        var record = new CheckpointRecord
        {
            Step = step,
            DataCursor = dataCursor,
            JobRng = GetState(_generator.get_state()),
            TorchRng = GetState(torch.random.get_rng_state()),
            Extra = extra?.DeepClone(),
            Files = files,
        };
        await _store.PutJsonAsync($"{prefix}/{CheckpointRecord.FileName}", record, cancellationToken).ConfigureAwait(false);
        Directory.Delete(local, recursive: true);
        _telemetry?.Checkpoint(step, prefix);
        await PruneAsync(step, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Restores the newest complete checkpoint whose files are all present and match their SHA-256 (into the tracked
    /// modules, optimisers, RNGs and the metrics log); null when there is none and the job starts from step 0.
    /// </summary>
    public async Task<ResumePoint?> ResumeAsync(CancellationToken cancellationToken = default)
    {
        foreach (var step in await CompleteStepsAsync(cancellationToken).ConfigureAwait(false))
        {
            CheckpointRecord record;
            Dictionary<string, string> local;
            try
            {
                record = await _store.ReadJsonAsync<CheckpointRecord>($"{PathFor(step)}/{CheckpointRecord.FileName}", cancellationToken).ConfigureAwait(false);
                local = [];
                foreach (var file in record.Files)
                {
                    local[file.Path[(file.Path.LastIndexOf('/') + 1)..]] = await _stager.FetchAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await _log.WriteLineAsync($"checkpoint {PathFor(step)} is unusable ({ex.Message}); trying an older one").ConfigureAwait(false);
                continue;
            }

            foreach (var (name, module) in _modules)
            {
                module.load_safetensors(local[name + ".safetensors"], true);
            }

            foreach (var (name, optimizer) in _optimizers)
            {
                optimizer.load_state_dict(local[name + ".optim"]);
            }

            _metrics.Restore(await File.ReadAllBytesAsync(local["metrics.jsonl"], cancellationToken).ConfigureAwait(false));
            using (var jobRng = torch.tensor(record.JobRng, dtype: ScalarType.Byte))
            {
                _generator.set_state(jobRng);
            }

            using (var torchRng = torch.tensor(record.TorchRng, dtype: ScalarType.Byte))
            {
                torch.random.set_rng_state(torchRng);
            }

            _telemetry?.Resumed(record.Step, PathFor(step));
            return new ResumePoint(record.Step, record.DataCursor, record.Extra);
        }

        return null;
    }

    /// <summary>Steps of the checkpoints that have a <c>checkpoint.json</c>, newest first.</summary>
    public async Task<IReadOnlyList<long>> CompleteStepsAsync(CancellationToken cancellationToken = default)
    {
        var steps = new List<long>();
        await foreach (var path in _store.ListAsync(_root + "/", cancellationToken).ConfigureAwait(false))
        {
            var parts = path[(_root.Length + 1)..].Split('/');
            if (parts is [var dir, CheckpointRecord.FileName] && dir.StartsWith("step-", StringComparison.Ordinal)
                && long.TryParse(dir.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var step))
            {
                steps.Add(step);
            }
        }

        return [.. steps.OrderDescending()];
    }

    private async Task PruneAsync(long newest, CancellationToken cancellationToken)
    {
        var complete = await CompleteStepsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var step in complete.Where(s => s <= newest).Skip(Keep))
        {
            // Marker first, so a prune killed half-way never leaves a "complete" checkpoint with missing files.
            await _store.DeletePrefixAsync($"{PathFor(step)}/{CheckpointRecord.FileName}", cancellationToken).ConfigureAwait(false);
            await _store.DeletePrefixAsync(PathFor(step) + "/", cancellationToken).ConfigureAwait(false);
        }
    }

    private static byte[] GetState(Tensor state)
    {
        using (state)
        {
            return state.data<byte>().ToArray();
        }
    }
}
