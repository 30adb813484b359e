using System.Diagnostics;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// How trace context crosses into a trainer process: the W3C <c>traceparent</c> (and <c>tracestate</c>) in the
/// environment variables <see cref="Variable"/> and <see cref="StateVariable"/>, the convention of OpenTelemetry's
/// environment-variable carrier. Every job runner sets them when it starts an attempt (the local runner on the process,
/// the Azure ML runner in the job's environment) from the span current while it submits; the trainer parents its
/// attempt span to them.
/// </summary>
public static class TraceParent
{
    public const string Variable = "TRACEPARENT";

    public const string StateVariable = "TRACESTATE";

    /// <summary>
    /// The environment a job should get for the current span: <see cref="Variable"/> (and <see cref="StateVariable"/> when
    /// there is state), or empty when no span is being recorded (telemetry off). A W3C id only: a hierarchical id means
    /// no OpenTelemetry listener set the format, and it would not parse on the other side.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForCurrentSpan()
    {
        var current = Activity.Current;
        if (current is not { IdFormat: ActivityIdFormat.W3C, Recorded: true } || current.Id is not { } id)
        {
            return new Dictionary<string, string>();
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { [Variable] = id };
        if (current.TraceStateString is { Length: > 0 } state)
        {
            environment[StateVariable] = state;
        }

        return environment;
    }

    /// <summary>
    /// Sets (or, with no current span, removes) the trace variables in a process environment, so that a job never
    /// inherits a stale <c>TRACEPARENT</c> of the host's own environment.
    /// </summary>
    public static void Apply(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        environment.Remove(Variable);
        environment.Remove(StateVariable);
        foreach (var (name, value) in ForCurrentSpan())
        {
            environment[name] = value;
        }
    }

    /// <summary>The parent context named by <see cref="Variable"/> (and <see cref="StateVariable"/>), or null when absent or malformed.</summary>
    public static ActivityContext? FromEnvironment(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return read(Variable) is { Length: > 0 } parent && ActivityContext.TryParse(parent, read(StateVariable), isRemote: true, out var context)
            ? context
            : null;
    }
}
