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

    public PromptBuilderOptions Prompts { get; init; } = new();

    /// <summary>Seed of the random corpus snippets used as the gold-score baseline in the summary.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>The committed test slice: Moby-Dick chapters 1–7, two addresses (~120 KB), 200 + 40 prompts.</summary>
    public static DemoBuildOptions Tiny { get; } = new()
    {
        MobyDickChapters = new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 },
        SotuAddresses = new HashSet<string>(StringComparer.Ordinal) { "1934_franklin_d_roosevelt_d", "1961_john_f_kennedy_d" },
        MaxTrainPrompts = 200,
        MaxHeldoutPrompts = 40,
    };
}
