using Rlhf.TrainerJob.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Model;

public sealed class SamplerTests
{
    private const int Eos = 256;
    private const int Pad = 257;
    private static readonly int[][] Prompts = [[72, 105], [84, 104, 101, 32, 99, 97, 116], [65, 66, 67, 68]];

    [Fact]
    public void Greedy_with_and_without_kv_cache_gives_the_same_tokens_for_a_padded_batch()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 11);
        var options = new SamplingOptions(MaxNewTokens: 12, Temperature: 0);

        var cached = Sampler.Generate(model, Prompts, options, Eos, Pad);
        var full = Sampler.Generate(model, Prompts, options with { UseKvCache = false }, Eos, Pad);

        Assert.Equal(7, cached.PromptLength);
        Assert.Equal(new long[] { 3, 19 }, cached.Tokens.shape);
        Assert.True(cached.Tokens.eq(full.Tokens).all().item<bool>());
        Assert.Equal(new long[] { Pad, Pad, Pad, Pad, Pad, 72, 105 }, cached.Tokens[0].narrow(0, 0, 7).data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0, 0, 0, 0, 1, 1 }, cached.AttentionMask[0].narrow(0, 0, 7).data<long>().ToArray());
    }

    [Fact]
    public void Greedy_continuation_of_a_padded_prompt_equals_that_prompt_generated_alone()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 12);
        var options = new SamplingOptions(MaxNewTokens: 10, Temperature: 0);

        var batch = Sampler.Generate(model, Prompts, options, Eos, Pad);
        var alone = Sampler.Generate(model, [Prompts[0]], options, Eos, Pad);

        Assert.True(batch.ResponseTokens[0].eq(alone.ResponseTokens[0]).all().item<bool>());
    }

    [Fact]
    public void Top_k_of_one_equals_greedy()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 13);

        var greedy = Sampler.Generate(model, Prompts, new SamplingOptions(MaxNewTokens: 8, Temperature: 0), Eos, Pad);
        var topOne = Sampler.Generate(model, Prompts, new SamplingOptions(MaxNewTokens: 8, Temperature: 1.5, TopK: 1), Eos, Pad,
            new Generator(5));

        Assert.True(greedy.Tokens.eq(topOne.Tokens).all().item<bool>());
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p_and_top_k_the_k_largest()
    {
        using var scope = NewDisposeScope();
        // Row 0 probabilities [0.15, 0.5, 0.1, 0.25]: sorted masses before each token 0, 0.5, 0.75, 0.9.
        var logits = tensor(new float[] { 0.15f, 0.5f, 0.1f, 0.25f, 0.7f, 0.1f, 0.1f, 0.1f }, [2, 4]).log();

        var kept = LogitsFilters.TopP(logits, 0.7).isfinite();
        var keptTopK = LogitsFilters.TopK(logits, 2).isfinite();

        Assert.Equal(new[] { false, true, false, true, true, false, false, false }, kept.flatten().data<bool>().ToArray());
        Assert.Equal(new[] { false, true, false, true }, keptTopK[0].data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false, true }, LogitsFilters.TopP(logits, 0.8)[0].isfinite().data<bool>().ToArray());
    }

    [Fact]
    public void Eos_stops_a_row_which_then_carries_masked_padding()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 14);
        MakeEosLikely(model);
        var prompts = Enumerable.Range(0, 8).Select(i => new[] { 65 + i, 66 }).ToArray();

        var result = Sampler.Generate(model, prompts, new SamplingOptions(MaxNewTokens: 8), Eos, Pad, new Generator(21));

        var response = result.ResponseTokens.data<long>().ToArray();
        var responseMask = result.ResponseMask.data<long>().ToArray();
        var n = (int)result.ResponseTokens.shape[1];
        Assert.Contains(true, result.EndedWithEos);
        Assert.Contains(false, result.EndedWithEos);
        for (var row = 0; row < prompts.Length; row++)
        {
            var tokens = response.Skip(row * n).Take(n).ToArray();
            var mask = responseMask.Skip(row * n).Take(n).ToArray();
            var eosAt = Array.IndexOf(tokens, (long)Eos);
            Assert.Equal(result.EndedWithEos[row], eosAt >= 0);
            var length = eosAt >= 0 ? eosAt + 1 : n;
            Assert.Equal(length, result.ResponseLengths[row]);
            Assert.All(tokens.Skip(length), t => Assert.Equal(Pad, t));
            Assert.Equal(Enumerable.Repeat(1L, length).Concat(Enumerable.Repeat(0L, n - length)), mask);
        }
    }

    [Fact]
    public void Generation_stops_early_once_every_row_has_ended()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 15);
        MakeEosLikely(model, strength: 20);

        var result = Sampler.Generate(model, Prompts, new SamplingOptions(MaxNewTokens: 30, Temperature: 0), Eos, Pad);

        Assert.Equal(1, result.ResponseTokens.shape[1]);
        Assert.All(result.EndedWithEos, Assert.True);
        Assert.Equal(new[] { 1, 1, 1 }, result.ResponseLengths);
    }

    [Fact]
    public void Same_seed_gives_same_samples_and_another_seed_differs()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 16);
        var options = new SamplingOptions(MaxNewTokens: 16, Temperature: 1.0, TopK: 50, TopP: 0.95);

        var a = Sampler.Generate(model, Prompts, options, Eos, Pad, new Generator(42));
        var b = Sampler.Generate(model, Prompts, options, Eos, Pad, new Generator(42));
        var c = Sampler.Generate(model, Prompts, options, Eos, Pad, new Generator(43));

        Assert.True(a.Tokens.eq(b.Tokens).all().item<bool>());
        Assert.False(a.Tokens.eq(c.Tokens).all().item<bool>());
    }

    [Fact]
    public void Long_prompts_are_truncated_from_the_left_to_fit_the_context()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create();
        var longPrompt = Enumerable.Range(0, 100).Select(i => i % 250).ToArray();

        var result = Sampler.Generate(model, [longPrompt], new SamplingOptions(MaxNewTokens: 14, Temperature: 0), Eos, Pad);

        Assert.Equal(50, result.PromptLength);
        Assert.Equal(longPrompt[^50..].Select(i => (long)i), result.Tokens[0].narrow(0, 0, 50).data<long>().ToArray());
        Assert.True(result.Tokens.shape[1] <= 64);
    }

    /// <summary>Raises every position's EOS logit by aligning wte[EOS] with ln_f's bias.</summary>
    private static void MakeEosLikely(Gpt model, double strength = 0.5)
    {
        var state = model.state_dict();
        using (no_grad())
        {
            state["ln_f.bias"].fill_(0.5);
            state["wte.weight"][Eos] = full(32, 0.5 * strength);
        }
    }
}
