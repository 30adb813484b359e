using System.Net;
using System.Net.Sockets;

namespace Rlhf.Core.Storage;

/// <summary>Picks free loopback TCP ports, for tests that start their own servers (Azurite needs three in a row).</summary>
public static class FreePorts
{
    private const int Lowest = 20000;
    private const int Highest = 60000;

    /// <summary>
    /// The first of <paramref name="count"/> consecutive ports that are free on 127.0.0.1 right now.
    /// Free now is not reserved: callers should retry on a bind failure.
    /// </summary>
    public static int FindConsecutive(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(Lowest, Highest - count);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"Found no {count} consecutive free ports on 127.0.0.1 between {Lowest} and {Highest}.");
    }

    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
