using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Model;

public sealed class LearningTests
{
    [Fact]
    public void A_few_hundred_adamw_steps_learn_a_repeated_string_and_greedy_decoding_reproduces_it()
    {
        using var scope = NewDisposeScope();
        var tokenizer = new ByteTokenizer();
        var text = tokenizer.Encode(string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 12)));
        var model = TinyGpt.Create(seed: 2);
        model.train();
        var optimizer = optim.AdamW(model.parameters(), lr: 3e-3);
        var generator = new Generator(3);
        const int batch = 8, window = 33;
        var data = tensor(text.Select(t => (long)t).ToArray());
        var lossStart = 0f;
        var lossEnd = 0f;

        for (var step = 0; step < 300; step++)
        {
            using var stepScope = NewDisposeScope();
            var starts = randint(0, text.Length - window, [batch], generator: generator);
            var chunk = stack(starts.data<long>().ToArray().Select(s => data.narrow(0, s, window)));    // (B, window)
            var logits = model.forward(chunk.narrow(1, 0, window - 1));                                  // (B, T, V)
            var loss = nn.functional.cross_entropy(logits.flatten(0, 1), chunk.narrow(1, 1, window - 1).flatten());
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossStart = step == 0 ? loss.item<float>() : lossStart;
            lossEnd = loss.item<float>();
        }

        model.eval();
        var prompt = tokenizer.Encode("the cat sat on");
        var result = Sampler.Generate(model, [prompt], new SamplingOptions(MaxNewTokens: 9, Temperature: 0), tokenizer.EosId, tokenizer.PadId);

        Assert.InRange(lossStart, Math.Log(258) - 0.5, Math.Log(258) + 0.5);
        Assert.True(lossEnd < 0.3, $"loss after 300 steps {lossEnd}");
        Assert.Equal(" the mat.", tokenizer.Decode(result.ResponseTokens[0].data<long>().ToArray().Select(t => (int)t).ToArray()));
    }
}
