using System.Net.Sockets;

namespace Rlhf.Cli.Hosting;

/// <summary>Tells a storage outage (nothing answers at the endpoint) from a storage error worth failing on.</summary>
public static class StorageErrors
{
    /// <summary>True when <paramref name="exception"/> or any exception inside it is a refused or failed connection.</summary>
    public static bool IsUnreachable(Exception? exception) => exception switch
    {
        null => false,
        SocketException or HttpRequestException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnreachable),
        _ => IsUnreachable(exception.InnerException),
    };

    /// <summary>The innermost message of the connection failure, for one log line.</summary>
    public static string Reason(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var e = exception;
        while (e.InnerException is not null && e is not SocketException)
        {
            e = e is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[0] : e.InnerException;
        }

        return e.Message;
    }
}
