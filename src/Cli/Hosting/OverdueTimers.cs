using System.Text.Json;
using DurableTask.Core.History;

namespace Rlhf.Cli.Hosting;

/// <summary>A durable timer an instance created whose <see cref="TimerFiredEvent"/> is not in its history.</summary>
public sealed record PendingTimer(int TimerId, DateTime FireAtUtc);

/// <summary>
/// Reads an instance's history (the JSON of <c>IOrchestrationServiceClient.GetOrchestrationHistoryAsync</c>: the
/// provider's <see cref="HistoryEvent"/> list, <c>EventType</c> as a number or a name) and finds its open timers.
/// Engine-level and provider-independent, so the Function App could sweep its hub the same way.
/// </summary>
public static class OverdueTimers
{
    /// <summary>Timers created (<c>TimerCreated</c>, by event id) and not yet fired (<c>TimerFired</c>, by timer id).</summary>
    public static IReadOnlyList<PendingTimer> Pending(string historyJson)
    {
        ArgumentNullException.ThrowIfNull(historyJson);
        using var history = JsonDocument.Parse(historyJson);
        var created = new Dictionary<int, DateTime>();
        var fired = new HashSet<int>();
        foreach (var e in history.RootElement.EnumerateArray())
        {
            switch (TypeOf(e))
            {
                case EventType.TimerCreated:
                    created[e.GetProperty("EventId").GetInt32()] = e.GetProperty("FireAt").GetDateTime().ToUniversalTime();
                    break;
                case EventType.TimerFired:
                    fired.Add(e.GetProperty("TimerId").GetInt32());
                    break;
            }
        }

        return [.. created.Where(t => !fired.Contains(t.Key)).Select(t => new PendingTimer(t.Key, t.Value)).OrderBy(t => t.TimerId)];
    }

    /// <summary>The pending timers due more than <paramref name="margin"/> before <paramref name="nowUtc"/>.</summary>
    public static IReadOnlyList<PendingTimer> Overdue(IEnumerable<PendingTimer> pending, DateTime nowUtc, TimeSpan margin) =>
        [.. pending.Where(t => t.FireAtUtc + margin < nowUtc)];

    private static EventType? TypeOf(JsonElement e)
    {
        if (!e.TryGetProperty("EventType", out var type))
        {
            return null;
        }

        return type.ValueKind switch
        {
            JsonValueKind.Number => (EventType)type.GetInt32(),
            JsonValueKind.String when Enum.TryParse<EventType>(type.GetString(), out var named) => named,
            _ => null,
        };
    }
}
