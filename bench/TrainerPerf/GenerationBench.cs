using System.Diagnostics;
using Rlhf.TrainerJob.Model;
using static TorchSharp.torch;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>Greedy generation with and without the KV cache: best time of each, the tokens generated, and whether both chose the same tokens.</summary>
/// <param name="Batch">Prompts generated together.</param>
/// <param name="Steps">Decoding steps run (≤ the requested new tokens; fewer when every row emitted EOS).</param>
/// <param name="KvSeconds">Best wall time with the cache.</param>
/// <param name="NoKvSeconds">Best wall time recomputing the whole sequence each step.</param>
/// <param name="IdenticalRows">Rows whose greedy tokens are the same both ways.</param>
public sealed record GenerationTiming(int Batch, int Steps, double KvSeconds, double NoKvSeconds, int IdenticalRows)
{
    /// <summary>Token positions decoded per second (batch × steps / time).</summary>
    public double KvTokensPerSecond => (double)Batch * Steps / KvSeconds;

    public double NoKvTokensPerSecond => (double)Batch * Steps / NoKvSeconds;

    public double Speedup => NoKvSeconds / KvSeconds;

    public bool Identical => IdenticalRows == Batch;
}

/// <summary>
/// <see cref="Sampler.Generate"/> at temperature 0 with <see cref="SamplingOptions.UseKvCache"/> true and false,
/// alternating the two so a load spike on the machine does not favour one; each mode's best run is kept.
/// </summary>
public static class GenerationBench
{
    public static GenerationTiming Run(Gpt model, IReadOnlyList<int[]> prompts, int newTokens, int runs, int eosId, int padId)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var cached = new SamplingOptions(newTokens, Temperature: 0, UseKvCache: true);
        var uncached = cached with { UseKvCache = false };
        Generate(model, prompts, cached with { MaxNewTokens = 4 }, eosId, padId);                // warm-up
        Generate(model, prompts, uncached with { MaxNewTokens = 4 }, eosId, padId);

        var (kvSeconds, noKvSeconds) = (double.MaxValue, double.MaxValue);
        long[][] kvTokens = [], noKvTokens = [];
        for (var run = 0; run < runs; run++)
        {
            var (kv, kvTime) = Generate(model, prompts, cached, eosId, padId);
            var (noKv, noKvTime) = Generate(model, prompts, uncached, eosId, padId);
            (kvSeconds, noKvSeconds) = (Math.Min(kvSeconds, kvTime), Math.Min(noKvSeconds, noKvTime));
            (kvTokens, noKvTokens) = (kv, noKv);
        }

        var identical = kvTokens.Zip(noKvTokens).Count(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
        return new GenerationTiming(prompts.Count, kvTokens[0].Length, kvSeconds, noKvSeconds, identical);
    }

    /// <summary>One timed generation; the response tokens per row.</summary>
    private static (long[][] Rows, double Seconds) Generate(Gpt model, IReadOnlyList<int[]> prompts, SamplingOptions options, int eosId, int padId)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var result = Sampler.Generate(model, prompts, options, eosId, padId);
        var responses = result.ResponseTokens.cpu();                                           // (B, N): waits for the device
        var seconds = clock.Elapsed.TotalSeconds;
        var width = (int)responses.shape[1];
        var all = responses.data<long>().ToArray();
        return ([.. Enumerable.Range(0, prompts.Count).Select(row => all[(row * width)..((row + 1) * width)])], seconds);
    }
}
