using System.Buffers.Binary;
using System.Diagnostics;
using Rlhf.Api.Report;
using Rlhf.Core.Artifacts;
using Xunit.Abstractions;

namespace Rlhf.Api.Tests.Report;

/// <summary>The saved report opened in a real headless browser: it renders to a non-trivial picture (plots with text).</summary>
public sealed class RunReportScreenshotTests(ITestOutputHelper output) : IDisposable
{
    private const int Width = 1280;
    private const int Height = 5200;
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlhf-report-shot-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [ChromiumFact]
    public async Task Saved_report_renders_in_headless_chromium()
    {
        var store = new LocalArtifactStore(Path.Combine(_root, "store"));
        var writer = new ReportRunWriter(store, "r-shot");
        await writer.WriteCompletedRunAsync();
        var page = Path.Combine(_root, "report.html");
        await File.WriteAllTextAsync(page, await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput(), store));
        var png = Path.Combine(_root, "report.png");

        var (exitCode, log) = await RunAsync(ChromiumFactAttribute.Chromium,
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", $"--user-data-dir={Path.Combine(_root, "profile")}",
            $"--window-size={Width},{Height}", $"--screenshot={png}", new Uri(page).AbsoluteUri);

        Assert.True(exitCode == 0 && File.Exists(png), $"chromium exited {exitCode}: {log}");
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal(Width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));                // IHDR width
        Assert.Equal(Height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));               // IHDR height
        Assert.True(bytes.Length > 150_000, $"a {bytes.Length}-byte screenshot is too plain for a page of nine plots and tables");
        // Kept for a person to look at: the page and its picture.
        var kept = Path.Combine(Path.GetTempPath(), "rlhf-report-screenshot");
        File.Copy(page, kept + ".html", overwrite: true);
        File.Copy(png, kept + ".png", overwrite: true);
        output.WriteLine($"screenshot: {kept}.png ({bytes.Length:N0} bytes) of {kept}.html");
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 60 s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
