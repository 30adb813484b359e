using System.Text;

namespace Rlhf.Core.Demo.Fluency;

/// <summary>
/// Scores how much a continuation reads like the language of held-out public text, with two
/// <see cref="KneserNeyModel"/>s trained on sentences the policy never trains on: one of words (order N) and one of
/// their skeletons (<see cref="FluencyText.Skeleton"/>, order N + 1). Under each model, for each word wᵢ of the
/// continuation (punctuation is context, never scored), with hᵢ the preceding tokens of prompt and continuation
/// since the last sentence end (<c>&lt;s&gt;</c> after one):
/// <code>
/// sᵢ  = ln P(wᵢ | hᵢ) − ln P(wᵢ)                     log-odds of the word given its context vs. the model's unigram
/// sᵢ  = min(sᵢ, 0) when (hᵢ, wᵢ)'s n-gram already occurred in the continuation   (repeats earn nothing)
/// sᵢ  = min(sᵢ, 0) when wᵢ comes after the continuation's last . ! ?          (an unfinished sentence earns nothing)
/// L   = Σ sᵢ / max(n, MinWords) when Σ sᵢ ≥ 0, Σ sᵢ / n when negative, 0 when n = 0
/// raw = min(L_words, L_skeleton)                     it must read well both as words and as word order
/// fluency = F(raw),   F = the empirical distribution function of raw over the held-out sentences
/// </code>
/// The held-out sentences are split into prompt and continuation as the demo's prompts are
/// (<see cref="PromptBuilder.Opening"/>), and F interpolates linearly between their sorted raw scores, so a typical
/// real continuation scores about 0.5, and 0 and 1 lie below and above every held-out sentence.
/// Subtracting the unigram term (SLOR, Kann et al. 2018) is what makes word salad score low: mean ln P(wᵢ | hᵢ)
/// alone is highest for strings of the most frequent words ("of the of the"), which real text never beats.
/// The word model alone, trained on ~1 MB, cannot tell a novel sentence of rare words from salad of common ones; the
/// skeleton model sees each pattern of function words often enough to judge word order, but passes lists of content
/// words; taking the lower of the two needs both. Fluency is judged per finished sentence: the n-gram model sees only a
/// few words at a time, so a policy can string locally fluent phrases together without ever ending a sentence ("of the
/// continuance of the act of the Congress has directed to the views made it will be taken in the", issue 14); the words of an
/// unfinished last sentence can lower the score but not raise it, so such a string scores below almost every real sentence.
/// </summary>
public sealed class FluencyJudge
{
    public const string ModelTextFile = "fluency-lm.txt";
    public const string HeldoutFile = "fluency-heldout.txt";

    private readonly double[] _calibration;

    public FluencyJudge(KneserNeyModel model, KneserNeyModel skeletonModel, IReadOnlySet<string> functionWords, IEnumerable<string> heldoutSentences, int minWords)
    {
        SkeletonModel = skeletonModel;
        FunctionWords = functionWords;
        if (minWords < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minWords), minWords, "MinWords must be positive.");
        }

        Model = model;
        MinWords = minWords;
        var prompts = new PromptBuilderOptions();
        _calibration = heldoutSentences
            .Select(s => (Sentence: s, Prompt: PromptBuilder.Opening(s, prompts)))
            .Where(p => p.Prompt is not null)
            .Select(p => Raw(p.Prompt!, p.Sentence[p.Prompt!.Length..]))
            .Order()
            .ToArray();
        if (_calibration.Length < 2)
        {
            throw new ArgumentException("The fluency judge needs at least two eligible held-out sentences to calibrate on.", nameof(heldoutSentences));
        }
    }

    public KneserNeyModel Model { get; }

    /// <summary>The model of skeletons (<see cref="FluencyText.Skeleton"/>): word order with content words replaced by their shape.</summary>
    public KneserNeyModel SkeletonModel { get; }

    /// <summary>The words the skeleton keeps (the stopword lexicon).</summary>
    public IReadOnlySet<string> FunctionWords { get; }

    public int MinWords { get; }

    /// <summary>The held-out raw scores, ascending: the calibration F is their empirical distribution function.</summary>
    public IReadOnlyList<double> Calibration => _calibration;

    /// <summary>Builds the model from <c>fluency-lm.txt</c> and calibrates it on <c>fluency-heldout.txt</c> in <paramref name="directory"/>.</summary>
    public static FluencyJudge Load(string directory, IReadOnlySet<string> functionWords, int order = 4, int minWords = 8)
    {
        var sentences = ReadSentences(Path.Combine(directory, ModelTextFile)).Select(FluencyText.Tokens).ToList();
        var model = KneserNeyModel.Build(sentences, order);
        var skeleton = KneserNeyModel.Build(sentences.Select(s => FluencyText.Skeleton(s, functionWords)), order + 1);
        return new FluencyJudge(model, skeleton, functionWords, ReadSentences(Path.Combine(directory, HeldoutFile)), minWords);
    }

    /// <summary>Writes the two sentence files (one sentence per line after a header comment) that <see cref="Load"/> reads.</summary>
    public static void Save(string directory, IEnumerable<string> modelSentences, IEnumerable<string> heldoutSentences)
    {
        Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, ModelTextFile), "Sentences the fluency judge's n-gram model is trained on (never in the SFT corpus), one per line", modelSentences);
        Write(Path.Combine(directory, HeldoutFile), "Held-out sentences the fluency score is calibrated on (in neither the SFT corpus nor the model's text), one per line", heldoutSentences);
    }

    /// <summary>fluency = F(raw) ∈ [0, 1].</summary>
    public double Score(string prompt, string continuation) => Calibrated(Raw(prompt, continuation));

    /// <summary>The score before calibration: the lower of the word model's and the skeleton model's (see the class summary).</summary>
    public double Raw(string prompt, string continuation)
    {
        var promptTokens = FluencyText.Tokens(prompt);
        var continuationTokens = FluencyText.Tokens(continuation);
        return Math.Min(
            LogOdds(Model, promptTokens, continuationTokens),
            LogOdds(SkeletonModel, FluencyText.Skeleton(promptTokens, FunctionWords), FluencyText.Skeleton(continuationTokens, FunctionWords)));
    }

    /// <summary>Σ sᵢ over the continuation's words under one model, averaged as in the class summary.</summary>
    public double LogOdds(KneserNeyModel model, IReadOnlyList<string> promptTokens, IReadOnlyList<string> continuationTokens)
    {
        var context = new List<int> { model.Start };
        foreach (var token in promptTokens)
        {
            Advance(model, context, token);
        }

        var seen = new HashSet<UInt128>();
        var sum = 0.0;
        var words = 0;
        var tail = LastSentenceEnd(continuationTokens) + 1;
        for (var i = 0; i < continuationTokens.Count; i++)
        {
            var token = continuationTokens[i];
            if (FluencyText.IsWord(token))
            {
                var id = model.Id(token);
                var window = Window(model, context);
                var s = model.LogProbability(window, id) - model.LogProbability([], id);
                sum += seen.Add(NGramKey(window, id)) && i < tail ? s : Math.Min(s, 0);
                words++;
            }

            Advance(model, context, token);
        }

        return words == 0 ? 0 : sum >= 0 ? sum / Math.Max(words, MinWords) : sum / words;
    }

    /// <summary>F(raw): the share of held-out raw scores below it, linear between neighbouring order statistics.</summary>
    public double Calibrated(double raw)
    {
        var c = _calibration;
        if (raw <= c[0])
        {
            return 0;
        }

        if (raw >= c[^1])
        {
            return 1;
        }

        var hi = Array.BinarySearch(c, raw);
        hi = hi >= 0 ? hi : ~hi;
        while (hi > 0 && c[hi - 1] == raw)
        {
            hi--;
        }

        if (c[hi] == raw)
        {
            return hi / (double)(c.Length - 1);
        }

        var lo = hi - 1;
        return (lo + ((raw - c[lo]) / (c[hi] - c[lo]))) / (c.Length - 1);
    }

    /// <summary>Index of the last sentence-ending token, −1 when none: the words after it are an unfinished sentence.</summary>
    private static int LastSentenceEnd(IReadOnlyList<string> tokens)
    {
        for (var i = tokens.Count - 1; i >= 0; i--)
        {
            if (FluencyText.EndsSentence(tokens[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Advance(KneserNeyModel model, List<int> context, string token)
    {
        if (FluencyText.EndsSentence(token))
        {
            context.Clear();
            context.Add(model.Start);
            return;
        }

        context.Add(model.Id(token));
    }

    private static ReadOnlySpan<int> Window(KneserNeyModel model, List<int> context)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(context);
        return span.Length > model.Order - 1 ? span[^(model.Order - 1)..] : span;
    }

    private static UInt128 NGramKey(ReadOnlySpan<int> window, int word)
    {
        var key = UInt128.Zero;
        foreach (var id in window)
        {
            key = (key << 24) | (uint)(id + 1);
        }

        return (key << 24) | (uint)(word + 1);
    }

    private static IEnumerable<string> ReadSentences(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Fluency judge file {Path.GetFileName(path)} is missing from the lexicon folder (rebuild the demo data with scripts/fetch-data.sh).", Path.GetFileName(path));
        }

        return File.ReadLines(path, Encoding.UTF8).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    private static void Write(string path, string header, IEnumerable<string> sentences)
    {
        var sb = new StringBuilder("# ").Append(header).Append('\n');
        foreach (var sentence in sentences)
        {
            sb.Append(sentence).Append('\n');
        }

        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
