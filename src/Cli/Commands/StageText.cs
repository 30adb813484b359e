using System.Globalization;
using Rlhf.Api;

namespace Rlhf.Cli.Commands;

/// <summary>How a stage reads in the terminal: its progress in its own units, its wall time, its own key metrics.</summary>
public static class StageText
{
    /// <summary><c>540/800 steps (68%)</c>, <c>reused</c>, <c>done</c>, or empty while nothing is counted yet.</summary>
    public static string Progress(StageView stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (stage.ReusedFrom is not null)
        {
            return "reused";
        }

        if (stage.Total > 0)
        {
            var count = string.Create(CultureInfo.InvariantCulture, $"{stage.Done}/{stage.Total} {stage.Unit}");
            return stage.FinishedUtc is null ? string.Create(CultureInfo.InvariantCulture, $"{count} ({(int)Math.Floor((stage.Progress ?? 0) * 100)}%)") : count;
        }

        return stage.FinishedUtc is null ? "" : "done";
    }

    /// <summary><c>held-out acc=0.684  held-out loss=0.61</c>.</summary>
    public static string Metrics(StageView stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return string.Join("  ", stage.Metrics.Select(m => $"{StageKeyMetrics.Label(m.Key)}={Number(m.Value)}"));
    }

    /// <summary>1h02m, 2m31s, 45s, 0.8s.</summary>
    public static string Duration(double? seconds) => seconds switch
    {
        null => "",
        >= 3600 => string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):00}m"),
        >= 60 => string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 60)}m{(int)(seconds % 60):00}s"),
        >= 10 => string.Create(CultureInfo.InvariantCulture, $"{(int)seconds}s"),
        var s => string.Create(CultureInfo.InvariantCulture, $"{s:0.0}s"),
    };

    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
