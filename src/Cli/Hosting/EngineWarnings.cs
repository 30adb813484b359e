using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// The storage provider's (<c>DurableTask.AzureStorage</c>) warnings and errors on the console when not verbose, one
/// line each (an exception as its message, not its stack): a discarded message is the evidence of a lost or
/// misrouted one and must be seen. The one known-benign discard is counted, not printed: "Instance is Completed",
/// a message for an orchestration that has completed, which can never run again under that execution (every job
/// monitor woken by its job's exit leaves a poll timer that fires after it completed). <see cref="WriteSummary"/>
/// prints their count when the host stops.
/// </summary>
public sealed class EngineWarnings(TextWriter output) : ILoggerProvider
{
    /// <summary>The provider's log category.</summary>
    public const string Category = "DurableTask.AzureStorage";

    private int _benignDiscards;

    /// <summary>Discards of messages for completed instances seen so far.</summary>
    public int BenignDiscards => _benignDiscards;

    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith(Category, StringComparison.Ordinal) ? new Logger(this, categoryName) : NullLogger.Instance;

    /// <summary>True for the provider's discard of a message addressed to a completed instance.</summary>
    public static bool IsBenignDiscard(EventId eventId, string message) =>
        eventId.Name == "DiscardingWorkItem" && message.Contains("Instance is Completed", StringComparison.Ordinal);

    /// <summary>One line with the count of benign discards, if there were any.</summary>
    public void WriteSummary()
    {
        if (_benignDiscards > 0)
        {
            Write($"info: {Category} discarded {_benignDiscards} leftover message(s) for completed instances (expected: job monitors' last poll timers)");
        }
    }

    /// <summary>Nothing to release; shared by the boot and the host's logger factories, each of which disposes it.</summary>
    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static string Describe(Exception? exception)
    {
        if (exception is null)
        {
            return string.Empty;
        }

        return StorageErrors.IsUnreachable(exception)
            ? $" — storage unreachable, retrying ({StorageErrors.Reason(exception)})"
            : $" — {exception.GetType().Name}: {exception.Message.Split('\n')[0].Trim()}";
    }

    private sealed class Logger(EngineWarnings owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (IsBenignDiscard(eventId, message))
            {
                Interlocked.Increment(ref owner._benignDiscards);
                return;
            }

            var level = logLevel == LogLevel.Warning ? "warn" : "fail";
            owner.Write($"{level}: {category}[{eventId.Id}] {message}{Describe(exception)}");
        }
    }
}
