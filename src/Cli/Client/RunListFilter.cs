using System.Globalization;
using System.Text;

namespace Rlhf.Cli.Client;

/// <summary>Filters of <c>GET /api/runs</c>.</summary>
public sealed record RunListFilter
{
    public IReadOnlyList<string> Statuses { get; init; } = [];
    public string? Prefix { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }
    public int? PageSize { get; init; }
    public string? ContinuationToken { get; init; }

    public string ToQueryString()
    {
        var query = new StringBuilder();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        Add("status", Statuses.Count > 0 ? string.Join(',', Statuses) : null);
        Add("prefix", Prefix);
        Add("createdFrom", CreatedFrom?.ToString("O", CultureInfo.InvariantCulture));
        Add("createdTo", CreatedTo?.ToString("O", CultureInfo.InvariantCulture));
        Add("pageSize", PageSize?.ToString(CultureInfo.InvariantCulture));
        Add("continuationToken", ContinuationToken);
        return query.ToString();
    }
}
