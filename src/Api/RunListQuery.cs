using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Rlhf.Api;

/// <summary>Parses the filters of <c>GET /api/runs</c> into an <see cref="OrchestrationQuery"/>, naming each bad parameter.</summary>
public static class RunListQuery
{
    public static (OrchestrationQuery Query, IReadOnlyList<ApiError> Errors) Parse(IQueryCollection query, RlhfApiOptions options)
    {
        var errors = new List<ApiError>();
        var statuses = new List<OrchestrationRuntimeStatus>();
        foreach (var text in Split(query["status"]))
        {
            if (Enum.TryParse<OrchestrationRuntimeStatus>(text, ignoreCase: true, out var status) && Enum.IsDefined(status))
            {
                statuses.Add(status);
            }
            else
            {
                errors.Add(new ApiError("?status", $"'{text}' is not one of {string.Join(", ", Enum.GetNames<OrchestrationRuntimeStatus>())}."));
            }
        }

        var pageSize = options.DefaultPageSize;
        if (query["pageSize"].ToString() is { Length: > 0 } sizeText
            && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > options.MaxPageSize))
        {
            errors.Add(new ApiError("?pageSize", $"'{sizeText}' is not a whole number from 1 to {options.MaxPageSize}."));
        }

        var prefix = query["prefix"].ToString();
        if (prefix.Length > 0 && RunIds.FindError(prefix) is { } prefixError)
        {
            errors.Add(new ApiError("?prefix", prefixError));
        }

        string? continuation = null;
        if (query["continuationToken"].ToString() is { Length: > 0 } token && !ContinuationTokens.TryUnwrap(token, out continuation))
        {
            errors.Add(new ApiError("?continuationToken", "Not a continuation token this API issued; pass back the continuationToken of the previous page unchanged."));
        }

        var parsed = new OrchestrationQuery
        {
            Statuses = statuses.Count > 0 ? statuses : null,
            InstanceIdPrefix = prefix.Length > 0 ? prefix : null,
            CreatedFrom = ParseTime(query, "createdFrom", errors),
            CreatedTo = ParseTime(query, "createdTo", errors),
            PageSize = pageSize,
            ContinuationToken = continuation,
            FetchInputsAndOutputs = true,
        };
        return (parsed, errors);
    }

    private static IEnumerable<string> Split(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static DateTimeOffset? ParseTime(IQueryCollection query, string name, List<ApiError> errors)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add(new ApiError($"?{name}", $"'{text}' is not an ISO 8601 time (e.g. 2025-01-31T12:00:00Z)."));
        return null;
    }
}
