using System.Globalization;
using System.Net;

namespace Rlhf.Api.Report;

/// <summary>Encoding and number formatting for the report's markup: every string from data goes through <see cref="E"/>.</summary>
internal static class HtmlText
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>4 significant digits, invariant culture; "—" for null or non-finite.</summary>
    public static string Num(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "—";

    public static string Percent(double? value) =>
        value is { } v && double.IsFinite(v) ? (v * 100).ToString("F1", CultureInfo.InvariantCulture) + " %" : "—";

    public static string Int(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset value) => value.ToString("u", CultureInfo.InvariantCulture);
}
