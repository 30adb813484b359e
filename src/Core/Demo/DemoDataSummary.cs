namespace Rlhf.Core.Demo;

/// <summary>What <see cref="DemoDataBuilder.Build"/> wrote, and the gold score of real continuations against random corpus snippets.</summary>
public sealed record DemoDataSummary
{
    public required int Documents { get; init; }
    public required int Paragraphs { get; init; }
    public required long CorpusBytes { get; init; }
    public required int CandidatePrompts { get; init; }
    public required int TrainPrompts { get; init; }
    public required int HeldoutPrompts { get; init; }

    /// <summary>Red-team prompts (<see cref="RedTeamPrompts"/>) written to the train and held-out files.</summary>
    public int RedTeamTrainPrompts { get; init; }
    public int RedTeamHeldoutPrompts { get; init; }

    /// <summary>Sentences the fluency judge's n-gram model is trained on (none of them in the corpus).</summary>
    public required int FluencyModelSentences { get; init; }

    /// <summary>Held-out sentences the fluency score is calibrated on.</summary>
    public required int FluencyHeldoutSentences { get; init; }
    public required IReadOnlyDictionary<string, int> LexiconEntries { get; init; }

    /// <summary>Gold score of the real continuations (reference) of every written prompt.</summary>
    public required ScoreStats GoldReferences { get; init; }

    /// <summary>Gold score of random corpus word windows as long as each reference, after the same prompt.</summary>
    public required ScoreStats GoldRandomSnippets { get; init; }
}

/// <summary>Mean and population standard deviation of a set of scores.</summary>
public sealed record ScoreStats(double Mean, double Std, int Count)
{
    public static ScoreStats Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new ScoreStats(0, 0, 0);
        }

        var mean = values.Average();
        return new ScoreStats(mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count), values.Count);
    }
}
