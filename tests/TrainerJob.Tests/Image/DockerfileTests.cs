using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tests.Verbs;

namespace Rlhf.TrainerJob.Tests.Image;

/// <summary>
/// <c>src/TrainerJob/Dockerfile</c>, checked as far as it can be without docker (base images cannot be pulled here):
/// the build context holds every file the trainer's build reads, and the final stage's copy of a real
/// <c>dotnet publish</c> (the Dockerfile's own command) holds the entrypoint, which runs a job.
/// </summary>
public sealed partial class DockerfileTests
{
    private const string BuildStage = "build";
    private static readonly string Root = RepoRoot();
    private static readonly DockerfileModel Dockerfile = DockerfileModel.Parse(Path.Combine(Root, "src", "TrainerJob", "Dockerfile"));

    [Fact]
    public void BuildStageCopiesEveryFileTheTrainerBuildReadsBeforeItRestores()
    {
        var copies = Dockerfile.In(BuildStage, "COPY").Select(c => (c.Line, Copy: DockerfileModel.ParseCopy(c))).Where(c => c.Copy.From is null).ToList();
        var restoreLine = Assert.Single(Dockerfile.In(BuildStage, "RUN"), r => r.Arguments.Contains("dotnet restore", StringComparison.Ordinal)).Line;

        foreach (var file in BuildInputFiles())
        {
            var copiedAt = copies.Where(c => c.Copy.Sources.Any(s => Covers(s, file))).Select(c => c.Line).DefaultIfEmpty(int.MaxValue).Min();
            Assert.True(copiedAt != int.MaxValue, $"the build stage never copies {file}");
            if (file.EndsWith("proj", StringComparison.Ordinal) || !file.StartsWith("src/", StringComparison.Ordinal))
            {
                Assert.True(copiedAt < restoreLine, $"{file} is copied at line {copiedAt}, after the restore at line {restoreLine}");
            }
        }

        foreach (var project in ProjectClosure())
        {
            var folder = Path.GetDirectoryName(project)!.Replace('\\', '/');
            Assert.True(copies.Any(c => c.Line > restoreLine && c.Copy.Sources.Any(s => s.TrimEnd('/') == folder)), $"the build stage never copies the sources of {folder}/");
        }
    }

    [Fact]
    public void CopiedPathsExistAndDockerignoreKeepsThemButNotHostBuildOutputs()
    {
        var ignore = DockerIgnore.Load(Path.Combine(Root, ".dockerignore"));
        var sources = Dockerfile.Instructions.Where(i => i.Keyword == "COPY").Select(DockerfileModel.ParseCopy).Where(c => c.From is null).SelectMany(c => c.Sources);

        Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(Root, s)) || Directory.Exists(Path.Combine(Root, s)), $"COPY source {s} does not exist"));
        var sourceFiles = ProjectClosure().Select(p => Path.GetDirectoryName(p)!)
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal));
        Assert.All(BuildInputFiles().Concat(sourceFiles), f => Assert.False(ignore.Excludes(f), $".dockerignore excludes {f}, which the build needs"));
        Assert.True(ignore.Excludes("src/TrainerJob/bin/Release/net10.0/rlhf-trainer.dll"), "host build outputs (bin/) must stay out of the context");
        Assert.True(ignore.Excludes("src/Core/obj/project.assets.json"), "host restore outputs (obj/) must stay out of the context");
        Assert.True(ignore.Excludes("node_modules/azurite/package.json"), "node_modules must stay out of the context");
        Assert.True(ignore.Excludes(".azure/rlhf-dev/.env"), "azd environment files (they hold the signing key) must stay out of the context");
    }

    [Fact]
    public void TorchArgumentIsTheTrainersTorchBackendSwitch()
    {
        Assert.Equal("cpu", Dockerfile.ArgDefault("TORCH"));
        var dotnetRuns = Dockerfile.In(BuildStage, "RUN").Where(r => DotnetVerb().IsMatch(r.Arguments)).ToList();
        Assert.Equal(2, dotnetRuns.Count);
        Assert.All(dotnetRuns, r => Assert.Contains("-p:TorchBackend=${TORCH}", r.Arguments, StringComparison.Ordinal));

        var conditions = XDocument.Load(Path.Combine(Root, "src", "TrainerJob", "TrainerJob.csproj")).Descendants("PackageReference")
            .Select(p => (string?)p.Attribute("Condition") ?? "").ToList();
        Assert.Contains(conditions, c => c.Contains("'$(TorchBackend)' == 'cpu'", StringComparison.Ordinal));
        Assert.Contains(conditions, c => c.Contains("'$(TorchBackend)' == 'cuda'", StringComparison.Ordinal));
    }

    [Fact]
    public void ImageRunsAsNonRootOnUbuntuNobleWhereLibTorchSharpNeedsNoPatch()
    {
        var user = Assert.Single(Dockerfile.In(Dockerfile.FinalStage, "USER")).Arguments;
        Assert.DoesNotMatch("^(root|0)(:|$)", user);
        // GLIBCXX_3.4.32 ships with Ubuntu 24.04 (noble), not Debian 12: scripts/patch-libtorchsharp.py only helps on Debian 12.
        Assert.All(Dockerfile.Instructions.Where(i => i.Keyword == "FROM"), f => Assert.Matches(@"-noble\s+AS\s", f.Arguments));
    }

    [Fact]
    public async Task PublishedOutputHoldsTheEntrypointOnPathAndRunsATrainingJob()
    {
        // The Dockerfile's publish command, run for real (on this build's output: --no-build) into a temp folder.
        var publish = Assert.Single(Dockerfile.In(BuildStage, "RUN"), r => r.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var args = publish.Arguments.Replace("${TORCH}", Dockerfile.ArgDefault("TORCH"), StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var outIndex = args.IndexOf("-o") + 1;
        Assert.True(outIndex > 0, "the publish command names its output folder with -o");
        var imageOut = args[outIndex];
        using var workspace = new TrainerWorkspace(corpusChars: 8_000);
        var published = Path.Combine(workspace.Root, "publish");
        args[outIndex] = published;
        Assert.True(args.IndexOf("-c") > 0, "the publish command names its configuration with -c");
        args[args.IndexOf("-c") + 1] = BuildConfiguration();
        args.Add("--no-build");
        var (exit, output) = await RunAsync("dotnet", args.Skip(1), Root, TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"{string.Join(' ', args)}\n{output}");

        // The final stage copies exactly that folder, puts it on PATH and starts the entrypoint from there.
        var (from, sources, destination) = DockerfileModel.ParseCopy(Assert.Single(Dockerfile.In(Dockerfile.FinalStage, "COPY")));
        Assert.Equal(BuildStage, from);
        Assert.Equal(imageOut.TrimEnd('/'), Assert.Single(sources).TrimEnd('/'));
        var path = Assert.Single(Dockerfile.In(Dockerfile.FinalStage, "ENV"), e => e.Arguments.StartsWith("PATH=", StringComparison.Ordinal)).Arguments;
        Assert.StartsWith($"PATH=\"{destination.TrimEnd('/')}:", path, StringComparison.Ordinal);
        var entrypoint = DockerfileModel.ExecForm(Assert.Single(Dockerfile.In(Dockerfile.FinalStage, "ENTRYPOINT")));
        Assert.Equal(["rlhf-trainer"], entrypoint);
        var executable = Path.Combine(published, entrypoint[0]);
        Assert.True(File.Exists(executable), $"publish output has no {entrypoint[0]}");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(executable) & UnixFileMode.OtherExecute) != 0, $"{entrypoint[0]} is not executable by the image's non-root user");
        }

        Assert.True(File.Exists(Path.Combine(published, "runtimes", "linux-x64", "native", "libtorch.so")), "publish output has no libtorch");
        Assert.True(File.Exists(Path.Combine(published, "runtimes", "linux-x64", "native", "libLibTorchSharp.so")), "publish output has no libLibTorchSharp");

        // The runtime image provides Microsoft.NETCore.App of DOTNET_VERSION and nothing else: the app must need only that.
        var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(published, "rlhf-trainer.runtimeconfig.json")))!["runtimeOptions"]!;
        Assert.Equal("Microsoft.NETCore.App", (string?)runtimeConfig["framework"]?["name"]);
        Assert.StartsWith(Dockerfile.ArgDefault("DOTNET_VERSION") + ".", (string?)runtimeConfig["framework"]?["version"], StringComparison.Ordinal);
        Assert.Matches(@"runtime:\$\{DOTNET_VERSION\}-", Assert.Single(Dockerfile.Instructions, i => i.Keyword == "FROM" && i.Stage == Dockerfile.FinalStage).Arguments);

        // The entrypoint runs a real (tiny) SFT job from the published folder, libtorch and all.
        var parameters = SftVerbTests.TinyParams(steps: 4);
        parameters["warmupSteps"] = 1;
        parameters["evalEvery"] = 2;
        var spec = workspace.WriteSpec(workspace.Spec("sft", "image-sft", "runs/image/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, parameters), "sft");
        var (jobExit, jobOutput) = await RunAsync(executable, ["sft", "--spec", spec], workspace.Root, TimeSpan.FromMinutes(3), new()
        {
            ["PATH"] = published + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["OMP_WAIT_POLICY"] = "PASSIVE",
            ["RLHF_WORK_DIR"] = workspace.WorkRoot,
        });
        Assert.True(jobExit == 0, $"exit {jobExit}\n{jobOutput}");
        Assert.True(File.Exists(workspace.Store.GetFilePath("runs/image/sft/manifest.json")), jobOutput);
    }

    /// <summary>Repository paths (forward slashes) that the trainer's restore and build read outside its project folders.</summary>
    private static IEnumerable<string> BuildInputFiles()
    {
        string[] rootFiles = ["global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", ".editorconfig"];
        var targets = File.ReadAllText(Path.Combine(Root, "Directory.Build.targets"));
        // files the targets name; globs (the code-version sources, docs/reuse.md) are covered by the project folders' copies
        var referenced = ThisFileDirectoryReference().Matches(targets).Select(m => m.Groups[1].Value).Where(r => !r.Contains('*', StringComparison.Ordinal));
        return rootFiles.Concat(referenced).Concat(ProjectClosure()).Distinct();
    }

    /// <summary>TrainerJob.csproj and every project it references, transitively (repository-relative, forward slashes).</summary>
    private static List<string> ProjectClosure()
    {
        var found = new List<string>();
        var pending = new Stack<string>(["src/TrainerJob/TrainerJob.csproj"]);
        while (pending.TryPop(out var project))
        {
            if (found.Contains(project))
            {
                continue;
            }

            found.Add(project);
            var folder = Path.GetDirectoryName(Path.Combine(Root, project))!;
            foreach (var reference in XDocument.Load(Path.Combine(Root, project)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(folder, ((string)reference.Attribute("Include")!).Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(Root, full).Replace('\\', '/'));
            }
        }

        return found;
    }

    private static bool Covers(string source, string file)
    {
        var s = source.TrimEnd('/');
        return s == file || s == "." || file.StartsWith(s + "/", StringComparison.Ordinal) || (source.EndsWith('/') && file.StartsWith(source, StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} ran longer than {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Debug or Release: the configuration this test (and so the trainer it references) was built in.</summary>
    private static string BuildConfiguration() =>
        typeof(DockerfileTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Pipeline.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\$\(MSBuildThisFileDirectory\)([^&""\s;]+)")]
    private static partial Regex ThisFileDirectoryReference();

    [GeneratedRegex(@"\bdotnet (restore|publish)\b")]
    private static partial Regex DotnetVerb();
}
