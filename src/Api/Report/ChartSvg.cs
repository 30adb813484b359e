using System.Globalization;
using System.Net;
using ScottPlot;

namespace Rlhf.Api.Report;

/// <summary>A plot of the report: its inline SVG, or the note that says why there is none (yet).</summary>
/// <param name="Caption">What the plot shows and where the data came from; shown under it.</param>
public sealed record ReportChart(string Id, string Title, string? Svg, string? Note, string? Caption = null)
{
    public static ReportChart Missing(string id, string title, string note) => new(id, title, null, note);
}

/// <summary>
/// Headless ScottPlot rendering to SVG that can sit inline in a page next to other plots: element ids (Skia's clip
/// paths, <c>cl_8c</c>, named from a process-wide counter that nothing promises to keep unique) are prefixed with the
/// chart id so one plot can never clip another's series, and a <c>viewBox</c> lets CSS scale it.
/// </summary>
public static class ChartSvg
{
    public const int Width = 600;
    public const int Height = 300;

    /// <summary>The series colours, in order (matplotlib's tab10; ScottPlot writes them upper-case in the SVG).</summary>
    public static IReadOnlyList<Color> Palette { get; } = [.. new[] { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd" }.Select(Color.FromHex)];

    /// <summary>A plot with the report's font, title and axis labels.</summary>
    public static Plot Create(string title, string xLabel, string yLabel, FontStatus fonts)
    {
        ArgumentNullException.ThrowIfNull(fonts);
        var plot = new Plot();
        if (fonts.Family is not null)
        {
            plot.Font.Set(fonts.Family);
        }

        plot.Title(title, size: 15);
        plot.XLabel(xLabel, size: 13);
        plot.YLabel(yLabel, size: 13);
        return plot;
    }

    /// <summary>Renders <paramref name="plot"/> as an <c>&lt;svg&gt;</c> element with ids unique to <paramref name="id"/>.</summary>
    public static string Render(Plot plot, string id, string title)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var xml = plot.GetSvgXml(Width, Height);
        var start = xml.IndexOf("<svg", StringComparison.Ordinal);
        var svg = xml[start..]
            .Replace(" id=\"", $" id=\"{id}-", StringComparison.Ordinal)
            .Replace("url(#", $"url(#{id}-", StringComparison.Ordinal)
            .Replace("href=\"#", $"href=\"#{id}-", StringComparison.Ordinal);
        var header = string.Create(CultureInfo.InvariantCulture, $"<svg class=\"chart\" data-chart=\"{id}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(title)}\" ");
        return header + svg["<svg ".Length..];
    }
}
