using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Core.Contracts;

namespace Rlhf.Api.Labeling;

/// <summary>
/// Reads <c>{ token, answers: [{ comparisonId, choice | ranking, reason? }] }</c> into one labeler's judgements of a whole
/// batch, or the problem to answer: 400 naming the field (malformed, duplicate, missing comparison, bad ranking), 403 for an
/// id of another run or batch, 404 for an id of this batch that names no comparison. Choices: <c>first</c>/<c>second</c>
/// (pairs only), <c>tie</c>, <c>bothBad</c>, <c>skip</c>; a ranking lists every completion index once, best first.
/// </summary>
public static class LabelSubmissionReader
{
    private static readonly Dictionary<string, HumanVerdict> Verdicts = new(StringComparer.Ordinal)
    {
        ["tie"] = HumanVerdict.Tie,
        ["bothBad"] = HumanVerdict.BothBad,
        ["skip"] = HumanVerdict.Skip,
    };

    /// <summary>The token string of the body (null when absent or not a string).</summary>
    public static string? TokenOf(JsonNode? body) =>
        body is JsonObject o && o["token"] is JsonValue v && v.TryGetValue<string>(out var token) ? token : null;

    public static (IReadOnlyList<HumanJudgement>? Judgements, IResult? Problem) Read(
        JsonNode? body, string runId, int batchIndex, string labeler, IReadOnlyList<SampleRecord> items, int maxReasonLength)
    {
        if (body is not JsonObject root || root["answers"] is not JsonArray answers)
        {
            return Bad(new ApiError("$.answers", "Send the answers as an array."));
        }

        var errors = new List<ApiError>();
        var parsed = new List<(int Index, string Id, string? Choice, List<int>? Ranking, string? Reason)>();
        for (var i = 0; i < answers.Count; i++)
        {
            var at = $"$.answers[{i}]";
            if (answers[i] is not JsonObject answer)
            {
                errors.Add(new ApiError(at, "An answer is an object."));
                continue;
            }

            var id = StringOf(answer, "comparisonId", at, errors, required: true);
            var choice = StringOf(answer, "choice", at, errors, required: false);
            var reason = StringOf(answer, "reason", at, errors, required: false);
            var ranking = RankingOf(answer, at, errors);
            if ((answer["choice"] is null) == (answer["ranking"] is null))
            {
                errors.Add(new ApiError(at, "Give exactly one of 'choice' and 'ranking'."));
            }

            if (choice is not null && choice is not ("first" or "second") && !Verdicts.ContainsKey(choice))
            {
                errors.Add(new ApiError($"{at}.choice", $"'{choice}' is not a choice: use first, second, tie, bothBad or skip."));
            }

            if (reason?.Length > maxReasonLength)
            {
                errors.Add(new ApiError($"{at}.reason", $"A reason has at most {maxReasonLength} characters."));
            }

            if (id is not null)
            {
                parsed.Add((i, id, choice, ranking, reason));
            }
        }

        foreach (var duplicate in parsed.GroupBy(p => p.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new ApiError($"$.answers[{duplicate.Skip(1).First().Index}].comparisonId", $"'{duplicate.Key}' is answered more than once."));
        }

        if (errors.Count > 0)
        {
            return Bad([.. errors]);
        }

        var foreign = parsed.FirstOrDefault(p => ComparisonIds.Parse(p.Id) is { } c && (c.RunId != runId || c.BatchIndex != batchIndex));
        if (foreign.Id is not null)
        {
            return (null, LabelingProblems.Forbidden($"$.answers[{foreign.Index}].comparisonId: '{foreign.Id}' is not in batch {batchIndex} of run '{runId}', the only batch this link opens."));
        }

        var byPrompt = items.ToDictionary(item => ComparisonIds.Of(runId, batchIndex, item.PromptId), StringComparer.Ordinal);
        var unknown = parsed.FirstOrDefault(p => !byPrompt.ContainsKey(p.Id));
        if (unknown.Id is not null)
        {
            return (null, ApiProblem.NotFound($"$.answers[{unknown.Index}].comparisonId: batch {batchIndex} of run '{runId}' has no comparison '{unknown.Id}'."));
        }

        var judgements = new List<HumanJudgement>();
        foreach (var (index, id, choice, ranking, reason) in parsed)
        {
            var item = byPrompt[id];
            var k = item.Completions.Count;
            var at = $"$.answers[{index}]";
            if (ranking is not null && (ranking.Count != k || ranking.Any(r => r < 0 || r >= k) || ranking.Distinct().Count() != k))
            {
                errors.Add(new ApiError($"{at}.ranking", $"Rank every completion 0..{k - 1} exactly once (got [{string.Join(',', ranking)}])."));
                continue;
            }

            if (choice is "first" or "second" && k != 2)
            {
                errors.Add(new ApiError($"{at}.choice", $"'{choice}' answers a pair; this comparison has {k} completions: send a ranking."));
                continue;
            }

            var (verdict, order) = choice switch
            {
                "first" => (HumanVerdict.Ranked, (IReadOnlyList<int>?)[0, 1]),
                "second" => (HumanVerdict.Ranked, [1, 0]),
                null => (HumanVerdict.Ranked, ranking),
                _ => (Verdicts[choice], null),
            };
            judgements.Add(new HumanJudgement(id, item.PromptId, labeler, verdict, order, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()));
        }

        var missing = byPrompt.Keys.Except(parsed.Select(p => p.Id), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            errors.Add(new ApiError("$.answers", $"Answer every comparison of the batch (skip is an answer); missing: {string.Join(", ", missing)}."));
        }

        if (errors.Count > 0)
        {
            return Bad([.. errors]);
        }

        // One order whatever order the page sent them in, so a replay writes the same bytes.
        return ([.. judgements.OrderBy(j => j.ComparisonId, StringComparer.Ordinal)], null);
    }

    private static string? StringOf(JsonObject answer, string name, string at, List<ApiError> errors, bool required)
    {
        var node = answer[name];
        if (node is null)
        {
            if (required)
            {
                errors.Add(new ApiError($"{at}.{name}", $"'{name}' is required."));
            }

            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text) && (!required || text.Length > 0))
        {
            return text;
        }

        errors.Add(new ApiError($"{at}.{name}", $"'{name}' must be a {(required ? "non-empty " : string.Empty)}string."));
        return null;
    }

    private static List<int>? RankingOf(JsonObject answer, string at, List<ApiError> errors)
    {
        if (answer["ranking"] is not { } node)
        {
            return null;
        }

        var ranking = new List<int>();
        if (node is JsonArray array)
        {
            foreach (var element in array)
            {
                if (element is JsonValue v && v.TryGetValue<int>(out var r))
                {
                    ranking.Add(r);
                }
                else
                {
                    errors.Add(new ApiError($"{at}.ranking", "A ranking is an array of completion indices (integers)."));
                    return null;
                }
            }

            return ranking;
        }

        errors.Add(new ApiError($"{at}.ranking", "A ranking is an array of completion indices (integers), best first."));
        return null;
    }

    private static (IReadOnlyList<HumanJudgement>?, IResult?) Bad(params ApiError[] errors) =>
        (null, ApiProblem.BadRequest("Invalid submission", errors));
}
