using System.Text;
using System.Text.Json;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>One line of <c>inputs.prompts</c>.</summary>
public sealed record PromptLine(string Id, string Prompt);

/// <summary>One completion in <c>samples.jsonl</c>.</summary>
public sealed record Completion(string Text, int Tokens, bool EndedWithEos);

/// <summary>One line of <c>samples.jsonl</c>: a prompt and its K completions.</summary>
public sealed record SampleLine(string PromptId, string Prompt, IReadOnlyList<Completion> Completions);

/// <summary>
/// <c>sample</c>: K completions per prompt of <c>inputs.prompts</c> (JSONL <c>{"id","prompt"}</c>) from <c>inputs.policy</c>,
/// written to <c>{output}/samples.jsonl</c> in prompt order. The K completions of a prompt are generated as one batch
/// with the KV cache, from a generator seeded with (seed, prompt index), so a prompt's samples are the same whatever
/// the shard count, the shard or the limit. Metrics per prompt: <c>sample/response_tokens</c>, <c>sample/eos_fraction</c>.
/// </summary>
public sealed class SampleVerb : IVerb
{
    public const string PolicyInput = JobInputs.Policy;
    public const string PromptsInput = JobInputs.Prompts;
    public const string SamplesOutput = "samples.jsonl";

    public string Name => JobVerbs.Sample;

    public string Description => "K completions per prompt of inputs.prompts from inputs.policy -> {output}/samples.jsonl";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        JobParams.RejectUnknownInputs(spec, PolicyInput, PromptsInput);
        JobParams.RequireInput(spec, PolicyInput);
        JobParams.RequireInput(spec, PromptsInput);
        var config = JobParams.Bind<SampleConfig>(spec).Validate();
        return (context, cancellationToken) => RunAsync(context, config, cancellationToken);
    }

    /// <summary>The prompts of shard <c>shard</c>/<c>shards</c> after the limit, with their index in the file.</summary>
    public static IReadOnlyList<(int Index, PromptLine Prompt)> SelectShard(IReadOnlyList<PromptLine> prompts, SampleConfig config)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(config);
        return [.. prompts.Take(config.Limit ?? int.MaxValue).Select((p, i) => (i, p)).Where(x => x.i % config.Shards == config.Shard)];
    }

    /// <summary>The seed of the generator for the prompt at <paramref name="index"/> (SplitMix64 of seed and index).</summary>
    public static ulong PromptSeed(long seed, int index)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    private static async Task RunAsync(JobContext context, SampleConfig config, CancellationToken cancellationToken)
    {
        var policy = await context.StageInputAsync(PolicyInput, cancellationToken).ConfigureAwait(false);
        var (model, tokenizer) = ModelIO.Load(policy, context.Device);
        using var _ = model;
        var prompts = ReadPrompts(await context.StageInputAsync(PromptsInput, cancellationToken).ConfigureAwait(false));
        var selected = SelectShard(prompts, config);
        context.TotalSteps = selected.Count;
        context.Log($"{selected.Count} of {prompts.Count} prompts (shard {config.Shard}/{config.Shards}), k={config.K}, device {context.Device}");

        var seed = config.Seed ?? context.Spec.Seed;
        var local = Path.Combine(context.WorkDir, SamplesOutput);
        await using (var writer = new StreamWriter(local, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" })
        {
            for (var n = 0; n < selected.Count; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (index, prompt) = selected[n];
                var line = Generate(model, tokenizer, prompt, config, PromptSeed(seed, index));
                await writer.WriteLineAsync(JsonSerializer.Serialize(line, JsonDefaults.Options)).ConfigureAwait(false);
                var metrics = new Dictionary<string, double>
                {
                    ["sample/response_tokens"] = line.Completions.Average(c => c.Tokens),
                    ["sample/eos_fraction"] = line.Completions.Count(c => c.EndedWithEos) / (double)line.Completions.Count,
                };
                await context.StepAsync(n + 1, metrics, line.Completions.Sum(c => c.Tokens), cancellationToken).ConfigureAwait(false);
            }
        }

        await context.WriteOutputFileAsync(SamplesOutput, local, cancellationToken).ConfigureAwait(false);
    }

    private static SampleLine Generate(Gpt model, Tokenizers.ITokenizer tokenizer, PromptLine prompt, SampleConfig config, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed, model.Device);
        var ids = tokenizer.Encode(prompt.Prompt);
        int[] promptIds = ids.Length > 0 ? ids : [tokenizer.EosId];                      // an empty prompt starts from EOS (document start)
        var rows = Enumerable.Repeat(promptIds, config.K).ToList();
        var result = Sampler.Generate(model, rows, config.Sampling, tokenizer.EosId, tokenizer.PadId, generator);
        var responses = result.ResponseTokens.cpu().data<long>().ToArray();               // (K, N) row-major
        var width = (int)result.ResponseTokens.shape[1];
        var completions = new List<Completion>(config.K);
        for (var row = 0; row < config.K; row++)
        {
            var length = result.ResponseLengths[row];
            var eos = result.EndedWithEos[row];
            var textIds = responses.AsSpan(row * width, eos ? length - 1 : length).ToArray().Select(t => (int)t).ToArray();
            completions.Add(new Completion(tokenizer.Decode(textIds), length, eos));
        }

        return new SampleLine(prompt.Id, prompt.Prompt, completions);
    }

    internal static List<PromptLine> ReadPrompts(string file)
    {
        var prompts = new List<PromptLine>();
        foreach (var (text, number) in JsonLines.NonBlank(file))
        {
            var line = JsonSerializer.Deserialize<PromptLine>(text, JsonDefaults.Options);
            if (line is null || string.IsNullOrEmpty(line.Id) || line.Prompt is null)
            {
                throw new InvalidDataException($"inputs.prompts line {number} is not {{\"id\",\"prompt\"}}: {text}");
            }

            prompts.Add(line);
        }

        return prompts;
    }
}
