using System.Text;
using Rlhf.Core.Artifacts;

namespace Rlhf.Api.Tests.Report;

/// <summary>
/// A hand-made labeled batch, as the labeling steps write it under <c>runs/{id}/labels/</c>: one prompt with K = 3, two people
/// (ann ranks 2 &gt; 0 &gt; 1, bob 0 &gt; 2 &gt; 1), the batch's majority line, and the constitution judge asked both orders.
/// Votes on (0-1, 0-2, 1-2): ann F S S, bob F F S, judge F F S.
/// <code>
/// ann–bob       agreement 2/3; pₑ = ⅓·⅔ + ⅔·⅓ = 4/9 → Cohen's κ = (6/9 − 4/9)/(5/9) = 0.4
/// judge–people  people's majority F, tie, S → agreement 2/3; pₑ = ⅔·⅓ + ⅓·⅓ = ⅓ → κ = 0.5
/// Fleiss        counts (F,S,T) = (3,0,0), (2,1,0), (0,3,0): P̄ = 7/9, P̄ₑ = 41/81 → κ = (63 − 41)/(81 − 41) = 0.55
/// ann vs others' majority: ✓ ✗ ✓ → 2/3; judge: 0-2 split (bob F, ann S) is not counted → 2 of 2
/// judge by position: forward F F S, reversed S F F → 4 of 6 picked the first shown; 0-2 flipped → 1 of 3 flips
/// </code>
/// </summary>
internal static class AgreementLabelSet
{
    public static async Task WriteAsync(IArtifactStore store, string runId)
    {
        var labels = $"runs/{runId}/labels";
        await store.PutAsync($"{labels}/batch-0000.jsonl", Lines(
            $$"""{"id":"{{runId}}:p1:0-1","promptId":"p1","prompt":"The sea","chosen":" a","rejected":" b","chosenIndex":0,"rejectedIndex":1,"ranking":[0,2,1],"labeler":"human:ann,bob"}"""));
        await store.PutAsync($"{labels}/human/batch-0000/ann.jsonl", Lines(
            """{"comparisonId":"c:0:p1","promptId":"p1","labeler":"ann","verdict":"ranked","ranking":[2,0,1],"reason":null}"""));
        await store.PutAsync($"{labels}/human/batch-0000/bob.jsonl", Lines(
            """{"comparisonId":"c:0:p1","promptId":"p1","labeler":"bob","verdict":"ranked","ranking":[0,2,1],"reason":null}"""));
        await store.PutAsync($"{labels}/judge/batch-0000.jsonl", Lines(
            Judge(0, 1, "first", forward: "first", reversed: "second"),
            Judge(0, 2, "first", forward: "first", reversed: "first"),
            Judge(1, 2, "second", forward: "second", reversed: "first")));
    }

    private static string Judge(int first, int second, string verdict, string forward, string reversed) =>
        $$"""{"comparisonId":"p1:{{first}}-{{second}}","promptId":"p1","first":{{first}},"second":{{second}},"labeler":"ai:constitution","verdict":"{{verdict}}","forward":"{{forward}}","reversed":"{{reversed}}"}""";

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
}
