using Rlhf.TrainerJob.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Model;

public sealed class GptLayersTests
{
    [Fact]
    public void Conv1D_computes_x_times_weight_plus_bias_with_weight_stored_in_by_out()
    {
        using var scope = NewDisposeScope();
        var conv = new Conv1D(2, 3);
        using (no_grad())
        {
            conv.Weight.copy_(tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
            conv.Bias.copy_(tensor(new float[] { 0.5f, -1, 2 }));
        }

        var y = conv.forward(tensor(new float[] { 1, -1 }, [1, 2]));

        // [1, -1] @ [[1, 2, 3], [4, 5, 6]] = [-3, -3, -3]; + bias.
        Assert.Equal(new float[] { -2.5f, -4f, -1f }, y.data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3 }, conv.state_dict()["weight"].shape);
    }

    [Fact]
    public void Mlp_uses_gpt2_gelu_new_tanh_approximation()
    {
        using var scope = NewDisposeScope();
        var mlp = new GptMlp(new GptConfig(VocabSize: 4, NPositions: 4, NEmbd: 2, NLayer: 1, NHead: 1));
        var state = mlp.state_dict();
        using (no_grad())
        {
            // c_fc and c_proj route input i through hidden unit i unchanged, so y_i = gelu(x_i).
            foreach (var name in new[] { "c_fc.weight", "c_proj.weight" })
            {
                state[name].zero_();
                state[name][0, 0] = tensor(1f);
                state[name][1, 1] = tensor(1f);
            }

            state["c_fc.bias"].zero_();
            state["c_proj.bias"].zero_();
        }

        var y = mlp.forward(tensor(new float[] { 1f, -0.5f }, [1, 2])).data<float>().ToArray();

        static double GeluNew(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        Assert.Equal(GeluNew(1), y[0], 6);       // 0.841192; exact erf GELU would give 0.841345
        Assert.Equal(GeluNew(-0.5), y[1], 6);
    }

    [Fact]
    public void ScalarHead_is_linear_with_pytorch_names()
    {
        using var scope = NewDisposeScope();
        var head = new ScalarHead(3);
        using (no_grad())
        {
            head.Weight.copy_(tensor(new float[] { 1, 2, 3 }, [1, 3]));
            head.Bias.fill_(0.5);
        }

        var values = head.forward(tensor(new float[] { 1, 1, 1, 0, 0, -1 }, [1, 2, 3]));

        Assert.Equal(new[] { "weight", "bias" }, head.state_dict().Keys.ToArray());
        Assert.Equal(new long[] { 1, 2 }, values.shape);
        Assert.Equal(new float[] { 6.5f, -2.5f }, values.data<float>().ToArray());
    }

    [Fact]
    public void Config_round_trips_through_hf_json_and_reads_hub_style_files()
    {
        var config = new GptConfig(258, 64, 32, 2, 2, 1e-6, 0.1);

        Assert.Equal(config, GptConfig.FromJson(config.ToJson()));
        var hub = """{"activation_function":"gelu_new","model_type":"gpt2","n_ctx":1024,"n_embd":768,"n_head":12,"n_layer":12,"n_positions":1024,"vocab_size":50257,"layer_norm_epsilon":1e-05,"resid_pdrop":0.1,"task_specific_params":{"text-generation":{"do_sample":true}}}""";
        Assert.Equal(GptConfig.Gpt2Small with { Dropout = 0.1 }, GptConfig.FromJson(hub));
    }

    [Fact]
    public void Config_validation_names_the_bad_field()
    {
        var error = Assert.Throws<ArgumentException>(() => new GptConfig(258, 64, 30, 2, 4).Validate());
        Assert.Contains("n_embd (30) must be divisible by n_head (4)", error.Message);
        Assert.Contains("vocab_size", Assert.Throws<FormatException>(() => GptConfig.FromJson("""{"n_positions":8,"n_embd":8,"n_layer":1,"n_head":1}""")).Message);
        Assert.Contains("llama", Assert.Throws<FormatException>(() => GptConfig.FromJson("""{"model_type":"llama"}""")).Message);
    }
}
