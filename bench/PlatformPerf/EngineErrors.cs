using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// Counts warnings and errors the host logs (storage provider, sidecar, worker), grouped by category and the first
/// line of the message, so a measurement that only "succeeded" after the engine retried is visible in the report.
/// </summary>
public sealed class EngineErrors : ILoggerProvider
{
    private const int MessageLength = 200;

    private readonly ConcurrentDictionary<(LogLevel Level, string Category, string Message), int> _counts = new();

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    public IReadOnlyDictionary<(LogLevel Level, string Category, string Message), int> Snapshot() => new Dictionary<(LogLevel, string, string), int>(_counts);

    /// <summary>What was logged since <paramref name="before"/>, most frequent first.</summary>
    public IReadOnlyList<LoggedProblem> Since(IReadOnlyDictionary<(LogLevel Level, string Category, string Message), int> before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return [.. _counts
            .Select(c => (c.Key, Count: c.Value - before.GetValueOrDefault(c.Key)))
            .Where(c => c.Count > 0)
            .OrderByDescending(c => c.Count)
            .Select(c => new LoggedProblem(c.Key.Level.ToString(), c.Key.Category, c.Key.Message, c.Count))];
    }

    public void Dispose()
    {
    }

    private sealed class Counter(EngineErrors owner, string category) : ILogger
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

            // the root cause reads better than the wrapper ("An error occurred while communicating with Azure Storage")
            var root = exception;
            while (root?.InnerException is not null)
            {
                root = root.InnerException;
            }

            // numbers (ids, delays, counts) are blanked so that repeats of one problem count as one
            var message = root?.Message ?? formatter(state, exception);
            var cause = message.Split("--->")[^1].Split('\n')[0].Trim();
            var text = Regex.Replace(cause, "[0-9]+", "#");
            owner._counts.AddOrUpdate((logLevel, category, text.Length > MessageLength ? text[..MessageLength] : text), 1, (_, n) => n + 1);
        }
    }
}

/// <summary>A warning or error the host logged <paramref name="Count"/> times during one measurement.</summary>
public sealed record LoggedProblem(string Level, string Category, string Message, int Count);
