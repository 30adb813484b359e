using System.Globalization;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>The machine's 1-minute load average over the run, sampled from <c>/proc/loadavg</c> (null where it does not exist).</summary>
/// <param name="Mean">Mean of the samples.</param>
/// <param name="Max">Largest sample.</param>
public sealed record LoadSummary(double Mean, double Max, int Samples);

/// <summary>Samples the 1-minute load average every <paramref name="period"/> until disposed: how shared the cores were.</summary>
public sealed class LoadMonitor(TimeSpan period) : IDisposable
{
    private const string LoadAvg = "/proc/loadavg";
    private readonly List<double> _samples = [];
    private Timer? _timer;

    public void Start() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, period);

    public LoadSummary? Summary()
    {
        lock (_samples)
        {
            return _samples.Count == 0 ? null : new LoadSummary(_samples.Average(), _samples.Max(), _samples.Count);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void Sample()
    {
        if (!File.Exists(LoadAvg))
        {
            return;
        }

        var first = File.ReadAllText(LoadAvg).Split(' ')[0];
        lock (_samples)
        {
            _samples.Add(double.Parse(first, CultureInfo.InvariantCulture));
        }
    }
}
