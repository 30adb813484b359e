using SkiaSharp;

namespace Rlhf.Api.Report;

/// <summary>Whether the plots can draw text: the font family used, or why none is usable.</summary>
public sealed record FontStatus(string? Family, string? Problem)
{
    public bool IsUsable => Problem is null;
}

/// <summary>
/// ScottPlot measures and lays out text with SkiaSharp; the Linux native asset used here reads fonts only from
/// <c>/usr/share/fonts</c>. Without a font it silently draws plots with blank titles, labels and ticks, so the
/// report checks first and says so on the page (install <c>fonts-dejavu-core</c>; <c>scripts/bootstrap.sh</c> does).
/// </summary>
public static class ReportFonts
{
    /// <summary>Preferred families, first found wins; any other installed family is the fallback.</summary>
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial"];

    /// <summary>Letters, digits and symbols the plots use (σ, √ in axis labels).</summary>
    private const string Probe = "Ag0.-√σ";

    private static readonly Lazy<FontStatus> Detected = new(Detect);

    public static FontStatus Current => Detected.Value;

    private static FontStatus Detect()
    {
        var families = SKFontManager.Default.GetFontFamilies();
        if (families.Length == 0)
        {
            return new FontStatus(null, "No fonts are installed (SkiaSharp found none under /usr/share/fonts), so the plots below have no titles, axis labels or tick labels. Install fonts-dejavu-core (scripts/bootstrap.sh does) and reload.");
        }

        var family = Preferred.FirstOrDefault(f => families.Contains(f, StringComparer.OrdinalIgnoreCase)) ?? families.Order(StringComparer.Ordinal).First();
        using var typeface = SKTypeface.FromFamilyName(family);
        using var font = new SKFont(typeface);
        var glyphs = font.GetGlyphs(Probe);
        return typeface is null || typeface.GlyphCount == 0 || glyphs.Contains((ushort)0)
            ? new FontStatus(family, $"The font '{family}' lacks glyphs the plots need ({Probe}); some plot text may be missing. Install fonts-dejavu-core.")
            : new FontStatus(family, null);
    }
}
