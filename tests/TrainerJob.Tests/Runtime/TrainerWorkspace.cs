using System.Diagnostics;
using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.TrainerJob.Runtime;

namespace Rlhf.TrainerJob.Tests.Runtime;

/// <summary>
/// A temp folder with a local artifact store (<c>store/</c>, holding <c>data/corpus.txt</c>, a slice of the demo
/// corpus) and the trainer's work folder, plus ways to run <c>rlhf-trainer</c>: as a real child process
/// (<c>dotnet rlhf-trainer.dll</c> next to the test assembly) or in-process through <see cref="TrainerCli"/>.
/// </summary>
public sealed class TrainerWorkspace : IDisposable
{
    public const string CorpusPath = "data/corpus.txt";

    public TrainerWorkspace(int corpusChars = 40_000)
    {
        Root = Directory.CreateTempSubdirectory("rlhf-trainer-test-").FullName;
        StoreRoot = Path.Combine(Root, "store");
        WorkRoot = Path.Combine(Root, "work");
        Store = new LocalArtifactStore(StoreRoot);
        var corpus = File.ReadAllText(FindRepoFile("data/tiny/corpus.txt"));
        Store.PutAsync(CorpusPath, System.Text.Encoding.UTF8.GetBytes(corpus[..Math.Min(corpusChars, corpus.Length)])).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public string StoreRoot { get; }

    public string WorkRoot { get; }

    public LocalArtifactStore Store { get; }

    public static string TrainerDll => Path.Combine(AppContext.BaseDirectory, "rlhf-trainer.dll");

    /// <summary>A spec document for <paramref name="verb"/> writing under <paramref name="output"/>.</summary>
    public JsonObject Spec(string verb, string jobId, string output, JsonObject inputs, JsonObject parameters, int seed = 7, int checkpointEvery = 0) => new()
    {
        ["verb"] = verb,
        ["jobId"] = jobId,
        ["store"] = StoreRoot,
        ["output"] = output,
        ["inputs"] = inputs,
        ["params"] = parameters,
        ["seed"] = seed,
        ["threads"] = 1,
        ["checkpointEvery"] = checkpointEvery,
        ["progressEvery"] = 10,
    };

    /// <summary>Writes <paramref name="spec"/> to a file and returns its path.</summary>
    public string WriteSpec(JsonObject spec, string name)
    {
        var path = Path.Combine(Root, name + ".json");
        File.WriteAllText(path, spec.ToJsonString());
        return path;
    }

    /// <summary>Starts <c>dotnet rlhf-trainer.dll {verb} --spec {file}</c> with stdout/stderr captured (and <paramref name="environment"/> added).</summary>
    public Process Start(string verb, string specFile, long? crashAtStep = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { TrainerDll, verb, "--spec", specFile })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["RLHF_WORK_DIR"] = WorkRoot;
        if (crashAtStep is not null)
        {
            info.Environment[JobContext.CrashAtStepVariable] = crashAtStep.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>Runs the trainer as a child process to completion: exit code, stdout, stderr.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunProcessAsync(
        string verb, string specFile, TimeSpan? timeout = null, long? crashAtStep = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(verb, specFile, crashAtStep, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs the trainer in this process (same code path as the executable, minus the signal handlers).</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunInProcessAsync(string verb, string specFile)
    {
        Environment.SetEnvironmentVariable("RLHF_WORK_DIR", WorkRoot);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await TrainerCli.RunAsync([verb, "--spec", specFile], output, error);
        return (code, output.ToString(), error.ToString());
    }

    public async Task<JsonNode> ReadJsonAsync(string path) => JsonNode.Parse(await Store.ReadAsync(path))!;

    public async Task<List<JsonObject>> ReadJsonLinesAsync(string path) =>
        [.. System.Text.Encoding.UTF8.GetString(await Store.ReadAsync(path))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!.AsObject())];

    public async Task<List<string>> ListAsync(string prefix)
    {
        var paths = new List<string>();
        await foreach (var path in Store.ListAsync(prefix))
        {
            paths.Add(path);
        }

        return paths;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A killed child may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Walks up from the test assembly to the repository file <paramref name="relative"/>.</summary>
    public static string FindRepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"'{relative}' not found above {AppContext.BaseDirectory}");
    }
}
