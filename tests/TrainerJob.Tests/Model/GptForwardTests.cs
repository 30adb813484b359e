using Rlhf.TrainerJob.Model;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Model;

public sealed class GptForwardTests
{
    [Fact]
    public void Parameters_have_exactly_the_hugging_face_gpt2_names_and_shapes()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create();
        var expected = new Dictionary<string, long[]> { ["wte.weight"] = [258, 32], ["wpe.weight"] = [64, 32] };
        for (var i = 0; i < 2; i++)
        {
            expected[$"h.{i}.ln_1.weight"] = [32];
            expected[$"h.{i}.ln_1.bias"] = [32];
            expected[$"h.{i}.attn.c_attn.weight"] = [32, 96];
            expected[$"h.{i}.attn.c_attn.bias"] = [96];
            expected[$"h.{i}.attn.c_proj.weight"] = [32, 32];
            expected[$"h.{i}.attn.c_proj.bias"] = [32];
            expected[$"h.{i}.ln_2.weight"] = [32];
            expected[$"h.{i}.ln_2.bias"] = [32];
            expected[$"h.{i}.mlp.c_fc.weight"] = [32, 128];
            expected[$"h.{i}.mlp.c_fc.bias"] = [128];
            expected[$"h.{i}.mlp.c_proj.weight"] = [128, 32];
            expected[$"h.{i}.mlp.c_proj.bias"] = [32];
        }

        expected["ln_f.weight"] = [32];
        expected["ln_f.bias"] = [32];

        var actual = model.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, kv => Assert.Equal(kv.Value, actual[kv.Key].shape));
        // GPT-2 init: std 0.02, residual projections 0.02 / sqrt(2 * n_layer) = 0.01.
        Assert.InRange(actual["h.0.attn.c_attn.weight"].std().item<float>(), 0.017, 0.023);
        Assert.InRange(actual["h.0.mlp.c_proj.weight"].std().item<float>(), 0.0085, 0.0115);
    }

    [Fact]
    public void Logits_match_an_independent_loop_implementation_of_gpt2()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 7);
        var ids = TinyGpt.Ids([5, 17, 200, 3, 99, 42]);

        var logits = model.forward(ids);

        var reference = ReferenceGpt2.Logits(model.state_dict(), TinyGpt.Config, [5, 17, 200, 3, 99, 42]);
        Assert.Equal(new long[] { 1, 6, 258 }, logits.shape);
        Assert.True(TinyGpt.MaxAbsDiff(logits[0], reference) < 1e-4, $"max diff {TinyGpt.MaxAbsDiff(logits[0], reference)}");
    }

    [Fact]
    public void Changing_a_later_token_leaves_earlier_logits_unchanged()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create();

        var a = model.forward(TinyGpt.Ids([10, 20, 30, 40, 50, 60]));
        var b = model.forward(TinyGpt.Ids([10, 20, 30, 41, 51, 61]));

        Assert.True(a.narrow(1, 0, 3).eq(b.narrow(1, 0, 3)).all().item<bool>());
        Assert.True(TinyGpt.MaxAbsDiff(a.narrow(1, 3, 3), b.narrow(1, 3, 3)) > 1e-4);
    }

    [Fact]
    public void Left_padding_in_a_batch_does_not_change_a_prompts_logits()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create();
        const long pad = 257;

        var alone = model.Logits(model.Hidden(TinyGpt.Ids([72, 101, 108, 108, 111])));
        var batch = TinyGpt.Ids([pad, pad, pad, 72, 101, 108, 108, 111], [1, 2, 3, 4, 5, 6, 7, 8]);
        var mask = TinyGpt.Ids([0, 0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]);
        var padded = model.Logits(model.Hidden(batch, mask));

        Assert.True(TinyGpt.MaxAbsDiff(alone[0], padded[0].narrow(0, 3, 5)) < 1e-5);
        Assert.False(padded.isnan().any().item<bool>());
    }

    [Fact]
    public void Kv_cache_steps_give_the_same_hidden_states_as_one_full_pass()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create();
        var ids = TinyGpt.Ids([257, 9, 8, 7, 6], [1, 2, 3, 4, 5]);
        var mask = TinyGpt.Ids([0, 1, 1, 1, 1], [1, 1, 1, 1, 1]);
        var full = model.Hidden(ids, mask);

        using var cache = new KvCache(2);
        var first = model.Hidden(ids.narrow(1, 0, 3), mask.narrow(1, 0, 3), cache);
        var second = model.Hidden(ids.narrow(1, 3, 1), mask.narrow(1, 0, 4), cache);
        var third = model.Hidden(ids.narrow(1, 4, 1), mask, cache);

        Assert.Equal(5, cache.Length);
        Assert.True(TinyGpt.MaxAbsDiff(full, cat([first, second, third], 1)) < 1e-5);
    }

    [Fact]
    public void Sequences_longer_than_the_context_are_rejected_with_a_clear_message()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create();

        var error = Assert.Throws<ArgumentException>(() => model.forward(zeros(1, 65, dtype: ScalarType.Int64)));

        Assert.Contains("n_positions=64", error.Message);
    }
}
