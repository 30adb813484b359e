using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Constitution;

/// <summary>
/// The SL-CAI stage's steps as pure functions over records, shared by its activities and by <c>bench/ConstitutionalAi</c>:
/// draw a principle, critique with the local constitution judge, pick the best resampled candidate, write the corpus.
/// </summary>
public static class SupervisedCaiSteps
{
    public const string LocalCritic = "local";

    /// <summary>
    /// The principle a critique uses: drawn with probability ∝ weight from a hash of (seed, prompt id, round), so a
    /// response gets the same principle however often the round is run, and different rounds may draw different ones.
    /// </summary>
    public static string DrawPrinciple(PrinciplesSpec principles, int seed, string promptId, int round)
    {
        ArgumentNullException.ThrowIfNull(principles);
        var weighted = principles.Weighted();
        if (weighted.Count == 0)
        {
            throw new InvalidOperationException("constitution.supervised.principles gives every principle weight 0.");
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{promptId}/{round}"));
        var u = BinaryPrimitives.ReadUInt64LittleEndian(hash) / (double)ulong.MaxValue * weighted.Sum(p => p.Value);
        foreach (var (name, weight) in weighted)
        {
            if (u < weight)
            {
                return name;
            }

            u -= weight;
        }

        return weighted[^1].Key;
    }

    /// <summary>The local critic's critique: the principle's named violations, and the text kept before the first of them.</summary>
    public static CaiCritique Critique(LocalConstitution constitution, string promptId, string prompt, string response, int round, string principle)
    {
        ArgumentNullException.ThrowIfNull(constitution);
        var score = constitution.Score(principle, prompt, response);
        return new CaiCritique(promptId, prompt, round, principle, response, LocalConstitution.Describe(score), score.Violations,
            score.Violations.Count > 0, KeepBefore(response, score.FirstAt), score.Score, LocalCritic);
    }

    /// <summary>The response up to the last whole word before <paramref name="at"/> (a violation); empty when there is no place.</summary>
    public static string KeepBefore(string response, int? at)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (at is not { } index || index <= 0)
        {
            return "";
        }

        var space = response.LastIndexOf(' ', Math.Min(index, response.Length) - 1);
        return space <= 0 ? "" : response[..space];
    }

    /// <summary>
    /// Rejection sampling: among <c>keep + candidate</c>, the highest score under the critiqued principle (first on ties)
    /// replaces the response only if it scores strictly higher than the response did.
    /// </summary>
    public static CaiRevision Revise(LocalConstitution constitution, CaiCritique critique, IReadOnlyList<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(constitution);
        ArgumentNullException.ThrowIfNull(critique);
        ArgumentNullException.ThrowIfNull(candidates);
        var (after, scoreAfter) = (critique.Response, critique.Score);
        if (critique.NeedsRevision)
        {
            foreach (var text in candidates.Select(c => critique.Keep + c))
            {
                var score = constitution.Score(critique.Principle, critique.Prompt, text).Score;
                if (score > scoreAfter + 1e-12)
                {
                    (after, scoreAfter) = (text, score);
                }
            }
        }

        return new CaiRevision(critique.PromptId, critique.Prompt, critique.Round, critique.Principle, critique.Response, after,
            !string.Equals(after, critique.Response, StringComparison.Ordinal), critique.Score, scoreAfter, candidates.Count, critique.Critic);
    }

    /// <summary>The fine-tuning pairs, JSONL: one <c>{"prompt","response"}</c> line per prompt, the response its final revision, in prompt-file order.</summary>
    public static string Pairs(IEnumerable<CaiRevision> finals) =>
        string.Concat(finals.Select(r => JsonSerializer.Serialize(new { prompt = r.Prompt, response = r.After }) + "\n"));

    /// <summary>Per principle: critiques, how many needed revision, how many were revised, mean scores before and after.</summary>
    public static CaiSummary Summarize(IReadOnlyList<CaiRevision> finals, IEnumerable<CaiCritique> critiques, IEnumerable<CaiRevision> revisions, int rounds)
    {
        ArgumentNullException.ThrowIfNull(finals);
        var byPrinciple = critiques.GroupBy(c => c.Principle, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var revised = revisions.GroupBy(r => r.Principle, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var principles = byPrinciple.Keys.Order(StringComparer.Ordinal).ToDictionary(
            p => p,
            p =>
            {
                var r = revised.GetValueOrDefault(p) ?? [];
                return new CaiPrincipleSummary(byPrinciple[p].Count, byPrinciple[p].Count(c => c.NeedsRevision), r.Count(x => x.Revised),
                    r.Count == 0 ? 0 : r.Average(x => x.ScoreBefore), r.Count == 0 ? 0 : r.Average(x => x.ScoreAfter));
            },
            StringComparer.Ordinal);
        return new CaiSummary(finals.Count, finals.Count(f => !string.Equals(f.After, FirstOf(f, revisions), StringComparison.Ordinal)), rounds, principles);
    }

    /// <summary>Helpfulness and harmlessness of the responses as the local judge scores them (one point of <see cref="CaiSummary.Trajectory"/>).</summary>
    public static CaiPoint Point(LocalConstitution constitution, string label, IReadOnlyList<(string Prompt, string Response)> responses)
    {
        ArgumentNullException.ThrowIfNull(constitution);
        ArgumentNullException.ThrowIfNull(responses);
        return responses.Count == 0
            ? new CaiPoint(label, 0, 0)
            : new CaiPoint(label, responses.Average(r => constitution.Score("helpful", r.Prompt, r.Response).Score), responses.Average(r => constitution.Score("harmless", r.Prompt, r.Response).Score));
    }

    /// <summary>The trajectory over rounds: the first responses (each round's Before), then each round's After.</summary>
    public static IReadOnlyList<CaiPoint> Trajectory(LocalConstitution constitution, IReadOnlyList<CaiRevision> revisions, int rounds)
    {
        ArgumentNullException.ThrowIfNull(revisions);
        var points = new List<CaiPoint> { Point(constitution, "responses", [.. revisions.Where(r => r.Round == 1).Select(r => (r.Prompt, r.Before))]) };
        for (var round = 1; round <= rounds; round++)
        {
            points.Add(Point(constitution, $"round {round}", [.. revisions.Where(r => r.Round == round).Select(r => (r.Prompt, r.After))]));
        }

        return points;
    }

    private static string FirstOf(CaiRevision final, IEnumerable<CaiRevision> revisions) =>
        revisions.Where(r => r.PromptId == final.PromptId).MinBy(r => r.Round)?.Before ?? final.After;

    /// <summary>The responses a round critiques: the policy's first sample per prompt (round 1), or the previous round's revisions.</summary>
    public static IReadOnlyList<(string PromptId, string Prompt, string Response)> ResponsesOf(IReadOnlyList<SampleRecord>? samples, IReadOnlyList<CaiRevision>? revisions) =>
        samples is not null
            ? [.. samples.Select(s => (s.PromptId, s.Prompt, s.Completions.Count > 0 ? s.Completions[0].Text : ""))]
            : [.. revisions!.Select(r => (r.PromptId, r.Prompt, r.After))];
}
