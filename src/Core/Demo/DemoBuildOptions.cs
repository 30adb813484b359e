namespace Rlhf.Core.Demo;

/// <summary>What <see cref="DemoDataBuilder"/> takes from the raw sources; the defaults build the full set.</summary>
public sealed record DemoBuildOptions
{
    /// <summary>Moby-Dick chapter numbers to include; null takes every chapter and the epilogue.</summary>
    public IReadOnlySet<int>? MobyDickChapters { get; init; }

    /// <summary>State of the Union file stems to include (e.g. <c>1961_john_f_kennedy_d</c>); null takes all.</summary>
    public IReadOnlySet<string>? SotuAddresses { get; init; }

    /// <summary>Cap on training prompts (lowest ids win, so the choice is a stable hash sample); null keeps all.</summary>
    public int? MaxTrainPrompts { get; init; }

    /// <summary>Cap on held-out prompts, chosen like <see cref="MaxTrainPrompts"/>; null keeps all.</summary>
    public int? MaxHeldoutPrompts { get; init; }

    /// <summary>Caps on red-team prompts (<see cref="RedTeamPrompts"/>), chosen like <see cref="MaxTrainPrompts"/>; null keeps all.</summary>
    public int? MaxRedTeamTrainPrompts { get; init; }

    public int? MaxRedTeamHeldoutPrompts { get; init; }

    public PromptBuilderOptions Prompts { get; init; } = new();

    /// <summary>Share (0–100) of paragraphs of all sources, by hash, given to the fluency judge and kept out of the corpus.</summary>
    public int FluencyPercent { get; init; } = 10;

    /// <summary>Share (0–100) of the judge's sentences, by hash, held out to calibrate it instead of training its model.</summary>
    public int FluencyHeldoutPercent { get; init; } = 20;

    /// <summary>
    /// Keep the chosen documents whole in the corpus and give the judge only judge paragraphs of the other documents
    /// (the committed slice, whose prompts tests rely on); false removes the judge paragraphs from the corpus instead.
    /// </summary>
    public bool KeepCorpusWhole { get; init; }

    /// <summary>Cap on the judge's model sentences (lowest hashes win); null keeps all.</summary>
    public int? MaxFluencySentences { get; init; }

    /// <summary>Cap on the judge's held-out calibration sentences (lowest hashes win); null keeps all.</summary>
    public int? MaxFluencyHeldoutSentences { get; init; }

    /// <summary>Seed of the random corpus snippets used as the gold-score baseline in the summary.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>The committed test slice: Moby-Dick chapters 1–7, two addresses (~120 KB), 200 + 40 prompts, a judge of 3,000 + 400 sentences from the other documents.</summary>
    public static DemoBuildOptions Tiny { get; } = new()
    {
        MobyDickChapters = new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 },
        SotuAddresses = new HashSet<string>(StringComparer.Ordinal) { "1934_franklin_d_roosevelt_d", "1961_john_f_kennedy_d" },
        MaxTrainPrompts = 200,
        MaxHeldoutPrompts = 40,
        MaxRedTeamTrainPrompts = 60,
        MaxRedTeamHeldoutPrompts = 20,
        KeepCorpusWhole = true,
        MaxFluencySentences = 3000,
        MaxFluencyHeldoutSentences = 400,
    };
}
