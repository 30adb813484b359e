using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// Wraps an activity and records its execution (<c>RunAsync</c> entry to exit, input already deserialized,
/// output not yet serialized) on the <see cref="Timeline"/>, tagged with the calling orchestration instance.
/// </summary>
public sealed class TimedActivity(ITaskActivity inner, string name, Timeline timeline) : ITaskActivity
{
    public Type InputType => inner.InputType;

    public Type OutputType => inner.OutputType;

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = BenchClock.Now;
        try
        {
            return await inner.RunAsync(context, input);
        }
        finally
        {
            timeline.Add(new Span(SpanKind.Activity, name, context.InstanceId, start, BenchClock.Now));
        }
    }
}

/// <summary>Registers activities wrapped in <see cref="TimedActivity"/>, created through DI as <c>AddActivity&lt;T&gt;()</c> creates them.</summary>
public static class TimedActivities
{
    /// <summary>
    /// Every concrete <see cref="ITaskActivity"/> of the activities assembly (the set <c>AddRlhfActivities()</c>
    /// registers), under its class name as <c>AddActivity&lt;T&gt;()</c> names it. Returns the names.
    /// </summary>
    public static IReadOnlyList<string> AddTimedRlhfActivities(this DurableTaskRegistry registry, Timeline timeline)
    {
        var types = typeof(RlhfActivities).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(ITaskActivity).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var type in types)
        {
            registry.AddTimed(type.Name, type, timeline);
        }

        return [.. types.Select(t => t.Name)];
    }

    public static DurableTaskRegistry AddTimed(this DurableTaskRegistry registry, string name, Type activity, Timeline timeline)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.AddActivity(name, sp => new TimedActivity((ITaskActivity)ActivatorUtilities.GetServiceOrCreateInstance(sp, activity), name, timeline));
    }
}
