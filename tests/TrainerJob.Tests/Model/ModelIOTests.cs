using System.Buffers.Binary;
using System.Text;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Model;

public sealed class ModelIOTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rlhf-modelio-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Saved_folder_reloads_to_bit_identical_logits_with_gpt2_keys_in_the_file()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 3);
        var ids = TinyGpt.Ids([1, 2, 3, 4, 5, 6, 7]);

        ModelIO.Save(_dir, model, new ByteTokenizer());
        var loaded = ModelIO.Load(_dir);

        Assert.True(model.forward(ids).eq(loaded.Model.forward(ids)).all().item<bool>());
        Assert.Equal(model.Config, loaded.Model.Config);
        Assert.IsType<ByteTokenizer>(loaded.Tokenizer);
        var file = Safetensors.LoadStateDict(Path.Combine(_dir, ModelIO.WeightsFileName));
        Assert.Equal(model.state_dict().Keys.Order(), file.Keys.Order());
        Assert.Equal(new long[] { 32, 96 }, file["h.0.attn.c_attn.weight"].shape);
        Assert.Equal(new long[] { 128, 32 }, file["h.1.mlp.c_proj.weight"].shape);
        Assert.Contains("\"model_type\": \"gpt2\"", File.ReadAllText(Path.Combine(_dir, GptConfig.FileName)));
    }

    [Fact]
    public void Safetensors_header_carries_pt_format_metadata_and_is_8_byte_aligned()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(_dir, "x.safetensors");

        SafetensorsWriter.Write(path, [new("a", tensor(new float[] { 1, 2, 3 })), new("b", ones(2, 2, dtype: ScalarType.Int64))]);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        Assert.Equal(0, headerLength % 8);
        Assert.Contains("\"__metadata__\":{\"format\":\"pt\"}", header);
        Assert.Contains("\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}", header);
        Assert.Equal(8 + headerLength + 12 + 32, bytes.Length);
        Assert.Equal(new float[] { 1, 2, 3 }, Safetensors.LoadStateDict(path)["a"].data<float>().ToArray());
    }

    [Fact]
    public void Gpt2LMHeadModel_style_file_with_prefix_buffers_and_lm_head_loads()
    {
        using var scope = NewDisposeScope();
        var source = TinyGpt.Create(seed: 4);
        var hf = source.state_dict().ToDictionary(kv => "transformer." + kv.Key, kv => kv.Value.detach());
        for (var i = 0; i < 2; i++)
        {
            hf[$"transformer.h.{i}.attn.bias"] = ones(64, 64).tril().view(1, 1, 64, 64);
            hf[$"transformer.h.{i}.attn.masked_bias"] = tensor(-1e4f);
        }

        hf["lm_head.weight"] = source.TokenEmbedding.detach();
        var path = Path.Combine(_dir, "hf.safetensors");
        using (var stream = File.Create(path))
        {
            Safetensors.SaveStateDict(stream, hf); // PyBridge's own writer, independent of ours
        }

        var target = TinyGpt.Create(seed: 5);
        ModelIO.LoadWeights(target, path);

        var ids = TinyGpt.Ids([9, 8, 7]);
        Assert.True(source.forward(ids).eq(target.forward(ids)).all().item<bool>());
    }

    [Fact]
    public void Checkpoint_for_another_config_fails_naming_the_key_and_shapes()
    {
        using var scope = NewDisposeScope();
        ModelIO.Save(_dir, TinyGpt.Create(), new ByteTokenizer());
        var wider = TinyGpt.Create(config: TinyGpt.Config with { NEmbd = 48 });

        var error = Assert.Throws<InvalidDataException>(() => ModelIO.LoadWeights(wider, Path.Combine(_dir, ModelIO.WeightsFileName)));

        Assert.Contains("'wte.weight' has shape [258, 32] but the model expects [258, 48]", error.Message);
    }

    [Fact]
    public void Checkpoint_missing_a_layer_fails_naming_the_missing_keys()
    {
        using var scope = NewDisposeScope();
        ModelIO.Save(_dir, TinyGpt.Create(), new ByteTokenizer());
        var deeper = TinyGpt.Create(config: TinyGpt.Config with { NLayer = 3 });

        var error = Assert.Throws<InvalidDataException>(() => ModelIO.LoadWeights(deeper, Path.Combine(_dir, ModelIO.WeightsFileName)));

        Assert.Contains("lacks 12 key(s): 'h.2.ln_1.weight' [32]", error.Message);
    }

    [Fact]
    public void Heads_are_saved_beside_the_model_and_reload()
    {
        using var scope = NewDisposeScope();
        var head = new ScalarHead(32);
        ModelIO.SaveHead(_dir, "value_head", head);
        var other = new ScalarHead(32);

        ModelIO.LoadHead(_dir, "value_head", other);

        Assert.True(ModelIO.HasHead(_dir, "value_head"));
        Assert.False(ModelIO.HasHead(_dir, "reward_head"));
        Assert.True(head.Weight.eq(other.Weight).all().item<bool>());
        var wrong = Assert.Throws<InvalidDataException>(() => ModelIO.LoadHead(_dir, "value_head", new ScalarHead(16)));
        Assert.Contains("'weight' has shape [1, 32] but the model expects [1, 16]", wrong.Message);
    }

    [Fact]
    public void Hugging_face_folder_without_our_descriptor_gets_the_gpt2_tokenizer()
    {
        using var scope = NewDisposeScope();
        var config = TinyGpt.Config with { VocabSize = 50257, NEmbd = 8, NHead = 1, NLayer = 1 };
        var model = TinyGpt.Create(config: config);
        ModelIO.Save(_dir, model, new Gpt2BpeTokenizer());
        File.Delete(Path.Combine(_dir, TokenizerFactory.DescriptorFileName));

        var loaded = ModelIO.Load(_dir);

        Assert.IsType<Gpt2BpeTokenizer>(loaded.Tokenizer);
    }
}
