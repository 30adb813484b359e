using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;

namespace Rlhf.Core.Tests.Labeling;

public sealed class AgreementTests
{
    private const PairVerdict F = PairVerdict.First;
    private const PairVerdict S = PairVerdict.Second;
    private const PairVerdict T = PairVerdict.Tie;

    [Fact]
    public void LabelerAndKindAgreementOverSharedComparisons()
    {
        // Four comparisons c1..c4; two people, the constitution judge and ROUGE.
        var votes = Votes(
            ("human:ann", [F, F, S, S]),
            ("human:bob", [F, S, S, S]),
            ("ai:constitution", [F, F, S, F]),
            ("rouge:l-f1", [S, S, F, F]));
        var report = Agreement.Compute(votes);

        Assert.Equal(4, report.Comparisons);
        Assert.Equal(16, report.Votes);
        var annBob = report.LabelerPairs.Single(p => p.A == "human:ann" && p.B == "human:bob");
        Assert.Equal(4, annBob.Shared);
        Assert.Equal(0.75, annBob.Agreement!.Value, 12);
        // ann F,F,S,S vs bob F,S,S,S: pₑ = 0.5·0.25 + 0.5·0.75 = 0.5 → κ = (0.75 − 0.5)/0.5 = 0.5.
        Assert.Equal(0.5, annBob.CohenKappa!.Value, 12);

        // Human majority per comparison: c1 F (2–0), c2 tie (1–1), c3 S, c4 S.
        Assert.Equal(0.5, report.JudgeHuman!.Agreement!.Value, 12); // judge F,F,S,F agrees on c1, c3
        Assert.Equal(0.0, report.RougeHuman!.Agreement!.Value, 12); // ROUGE S,S,F,F agrees on none
        Assert.Equal(4, report.FleissItems);

        // ann vs the majority of the other three: c1 F (bob F, ai F, rouge S) ✓; c2 others S,F,S → S ✗;
        // c3 others S,S,F → S ✓; c4 others S,F,F → F ✗ → 2/4.
        var ann = report.Labelers.Single(l => l.Labeler == "human:ann");
        Assert.Equal((4, 0, 4), (ann.Votes, ann.Ties, ann.MajorityComparisons));
        Assert.Equal(0.5, ann.MajorityAgreement!.Value, 12);
    }

    [Fact]
    public void FleissOverVotesMatchesTheCountTable()
    {
        // Three raters on three comparisons: [F,F,F], [F,S,T], [S,S,T] → counts (F,S,T) = (3,0,0), (1,1,1), (0,2,1).
        // Pᵢ = 1, 0, 1/3 → P̄ = 4/9; pⱼ = 4/9, 3/9, 2/9 → P̄ₑ = 29/81; κ = (36/81 − 29/81)/(52/81) = 7/52.
        var votes = Votes(("a:1", [F, F, S]), ("a:2", [F, S, S]), ("a:3", [F, T, T]));
        Assert.Equal(7.0 / 52, Agreement.Compute(votes).FleissKappa!.Value, 12);
    }

    [Fact]
    public void PositionBiasCountsFirstPositionWinsAndOrderFlips()
    {
        // Forward/reversed answers by position: c1 A/A (flip: canonical F vs S), c2 A/B (consistent: F, F),
        // c3 B/A (consistent: S, S), c4 A/tie (flip) → answers 8, decided 7, first-position wins 5, flips 2 of 4.
        var verdicts = new[] { (F, F), (F, S), (S, F), (F, T) }
            .Select((o, i) => Verdict($"c{i}", "ai:azure-openai:gpt", o.Item1, o.Item2))
            .ToList();
        var bias = Agreement.PositionBiasOf(verdicts).Single();
        Assert.Equal((8, 7, 5, 4, 2), (bias.Answers, bias.Decided, bias.FirstPositionWins, bias.BothOrders, bias.OrderFlips));
        Assert.Equal(5.0 / 7, bias.FirstPositionShare!.Value, 12);
        Assert.Equal(0.5, bias.OrderFlipRate!.Value, 12);
    }

    [Fact]
    public async Task ComputesFromStoredPreferenceAndJudgeFiles()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-agree-").FullName;
        try
        {
            var store = new LocalArtifactStore(root);
            // Person prefers completion 0 over 1 and 2 over 1; the judge agrees on the first and ties the second.
            await store.PutAsync("runs/r/labels/human.jsonl", Lines(Pref("p1", 0, 1, "human:ann"), Pref("p1", 2, 1, "human:ann")));
            await store.PutAsync("runs/r/labels/judge/batch-0000.jsonl", Lines(
                Verdict("p1:0-1", "ai:constitution", null, null) with { Verdict = F },
                Verdict("p1:1-2", "ai:constitution", null, null) with { Verdict = T }));

            var report = await AgreementFiles.ComputeAsync(store, ["runs/r/labels/human.jsonl"], ["runs/r/labels/judge/batch-0000.jsonl"]);
            Assert.Equal(2, report.Comparisons);
            Assert.Equal(0.5, report.JudgeHuman!.Agreement!.Value, 12);
            Assert.Equal(1, report.Labelers.Single(l => l.Labeler == "ai:constitution").Ties);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task ForRunReadsBatchLabelsJudgeVerdictsAndEachPersonsRanking()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-agree-").FullName;
        try
        {
            var store = new LocalArtifactStore(root);
            // Prompt p1 with K = 3. Ann ranks 2 > 0 > 1, Bob ranks 0 > 2 > 1; the judge prefers 0 on every pair it has.
            await store.PutAsync("runs/r/labels/batches/batch-0000.jsonl", "{\"not\":\"a preference\"}\n"u8.ToArray());
            await store.PutAsync("runs/r/labels/batch-0000.jsonl", Lines(Pref("p1", 0, 1, "human:ann,bob")));
            await store.PutAsync("runs/r/labels/judge/batch-0000.jsonl", Lines(
                Verdict("p1:0-1", "ai:constitution", null, null) with { Verdict = F },
                Verdict("p1:0-2", "ai:constitution", null, null) with { Verdict = F },
                Verdict("p1:1-2", "ai:constitution", null, null) with { Verdict = S }));
            await store.PutAsync("runs/r/labels/judge/batch-0000.usage.json", "{}"u8.ToArray());
            await store.PutAsync("runs/r/labels/human/batch-0000/ann.jsonl",
                """{"comparisonId":"r:0:p1","promptId":"p1","labeler":"ann","verdict":"ranked","ranking":[2,0,1],"reason":null}"""u8.ToArray());
            await store.PutAsync("runs/r/labels/human/batch-0000/bob.jsonl",
                """{"comparisonId":"r:0:p1","promptId":"p1","labeler":"bob","verdict":"ranked","ranking":[0,2,1],"reason":null}"""u8.ToArray());

            var report = await AgreementFiles.ForRunAsync(store, "r");

            // Ann: 0-1 F, 0-2 S, 1-2 S. Bob: 0-1 F, 0-2 F, 1-2 S. Judge: F, F, S. The "human:ann,bob" line is replaced.
            Assert.Equal(["ai:constitution", "human:ann", "human:bob"], report.Labelers.Select(l => l.Labeler));
            Assert.Equal(2.0 / 3, report.LabelerPairs.Single(p => p.A == "human:ann" && p.B == "human:bob").Agreement!.Value, 12);
            // Human majority: 0-1 F, 0-2 tie (1–1), 1-2 S → the judge agrees on 2 of 3.
            Assert.Equal(2.0 / 3, report.JudgeHuman!.Agreement!.Value, 12);
            Assert.Equal(3, report.FleissItems);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<LabelVote> Votes(params (string Labeler, PairVerdict[] Verdicts)[] raters) =>
        [.. raters.SelectMany(r => r.Verdicts.Select((v, i) => new LabelVote($"c{i}", r.Labeler, v)))];

    private static JudgeVerdict Verdict(string id, string labeler, PairVerdict? forward, PairVerdict? reversed) => new()
    {
        ComparisonId = id, PromptId = "p", First = 0, Second = 1, Labeler = labeler, Verdict = T, Forward = forward, Reversed = reversed,
    };

    private static PreferenceRecord Pref(string prompt, int chosen, int rejected, string labeler) => new()
    {
        Id = $"r:{prompt}:{Math.Min(chosen, rejected)}-{Math.Max(chosen, rejected)}", PromptId = prompt, Prompt = "x", Chosen = $"c{chosen}", Rejected = $"c{rejected}",
        ChosenIndex = chosen, RejectedIndex = rejected, Ranking = [0, 1, 2], Labeler = labeler,
    };

    private static byte[] Lines<T>(params T[] records) =>
        System.Text.Encoding.UTF8.GetBytes(string.Concat(records.Select(r => System.Text.Json.JsonSerializer.Serialize(r, Rlhf.Core.Json.JsonDefaults.Options) + "\n")));
}
