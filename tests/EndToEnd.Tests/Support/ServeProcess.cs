using System.Diagnostics;
using Rlhf.Cli.Commands;

namespace Rlhf.EndToEnd.Tests.Support;

/// <summary>
/// One lifetime of <c>dotnet rlhf.dll serve ...</c>, started from this test's output folder (where the Cli project
/// reference puts <c>rlhf.dll</c> and <c>rlhf-trainer.dll</c>, whatever the build configuration), ready once it
/// prints <see cref="ServeCommand.ReadyMarker"/>. Its trainer jobs are its own child processes.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, Uri apiUri)
    {
        _process = process;
        ApiUri = apiUri;
    }

    public static string RlhfDll => Path.Combine(AppContext.BaseDirectory, "rlhf.dll");

    public int ProcessId => _process.Id;

    /// <summary>False once the process has exited (crashed or killed).</summary>
    public bool IsRunning => !_process.HasExited;

    public Uri ApiUri { get; }

    public static async Task<ServeProcess> StartAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, HostLog log, TimeSpan timeout)
    {
        if (!File.Exists(RlhfDll) || !File.Exists(Path.Combine(AppContext.BaseDirectory, "rlhf-trainer.dll")))
        {
            throw new FileNotFoundException($"rlhf.dll and rlhf-trainer.dll must be next to the test assembly in {AppContext.BaseDirectory} (Cli project reference).");
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(RlhfDll);
        info.ArgumentList.Add("serve");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            log.Write(line);
            var marker = line.IndexOf(ServeCommand.ReadyMarker, StringComparison.Ordinal);
            if (marker >= 0)
            {
                ready.TrySetResult(new Uri(line[(marker + ServeCommand.ReadyMarker.Length)..].Trim()));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        log.Write($"=== test: started rlhf serve, pid {process.Id}, at {DateTime.UtcNow:O}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(timeout));
        if (first == ready.Task)
        {
            return new ServeProcess(process, await ready.Task);
        }

        var why = first == exited ? $"exited with code {process.ExitCode}" : $"did not print '{ServeCommand.ReadyMarker}' within {timeout.TotalSeconds:0} s";
        if (!process.HasExited)
        {
            await Processes.KillHardAsync(process.Id);
        }

        process.Dispose();
        throw new InvalidOperationException($"rlhf serve {why}.{Environment.NewLine}{log.Tail()}");
    }

    /// <summary>kill -9 the host (not its trainer children, which a real crash leaves running) and reap it.</summary>
    public async Task KillHardAsync()
    {
        await Processes.KillHardAsync(_process.Id);
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the host if it still runs (SIGKILL: these tests never need a graceful stop).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillHardAsync();
        }

        _process.Dispose();
    }
}
