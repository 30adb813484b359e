using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// The label window (<see cref="LabelWindowSpec"/>) over accumulated preference lines, oldest first. The unit it keeps or
/// drops is a sample set's lines by one kind of labeler (people, or machines), so a K-wise ranking is never cut. Machine
/// units of runs older than the last <see cref="LabelWindowSpec.Nights"/> go first; then, while more than
/// <see cref="LabelWindowSpec.MaxComparisons"/> lines remain, the oldest machine units. Human units are never dropped.
/// </summary>
public static class LabelWindow
{
    /// <summary>The lines kept (in their order) and the per-run counts, runs in order of first appearance.</summary>
    public static (IReadOnlyList<PreferenceRecord> Kept, IReadOnlyList<RunLabelCount> Runs) Apply(IReadOnlyList<PreferenceRecord> lines, LabelWindowSpec window)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(window);
        var units = lines.Select((line, i) => (line, i)).GroupBy(x => (x.line.SampleSet, x.line.IsHuman)).ToList();
        var runs = lines.Select(RunOf).Distinct(StringComparer.Ordinal).ToList();
        var recent = window.Nights > 0 ? runs.TakeLast(window.Nights).ToHashSet(StringComparer.Ordinal) : [.. runs];
        var dropped = units.Where(u => !u.Key.IsHuman && !recent.Contains(RunOf(u.First().line))).Select(u => u.Key).ToHashSet();

        var total = units.Where(u => !dropped.Contains(u.Key)).Sum(u => u.Count());
        if (window.MaxComparisons > 0)
        {
            foreach (var unit in units.Where(u => !u.Key.IsHuman && !dropped.Contains(u.Key)))
            {
                if (total <= window.MaxComparisons)
                {
                    break;
                }

                dropped.Add(unit.Key);
                total -= unit.Count();
            }
        }

        var kept = lines.Where(l => !dropped.Contains((l.SampleSet, l.IsHuman))).ToList();
        var counts = runs.Select(run =>
        {
            var mine = lines.Where(l => RunOf(l) == run).ToList();
            var keptOfRun = mine.Where(l => !dropped.Contains((l.SampleSet, l.IsHuman))).ToList();
            return new RunLabelCount(run, keptOfRun.Count, keptOfRun.Count(l => l.IsHuman), mine.Count - keptOfRun.Count);
        }).ToList();
        return (kept, counts);
    }

    private static string RunOf(PreferenceRecord line) => line.SourceRun;
}
