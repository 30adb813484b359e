using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rlhf.Cli.Commands;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Storage;

namespace Rlhf.Cli.Tests;

/// <summary>
/// The README works as written. Every command in its <c>bash</c> blocks is either run here exactly as written (<see cref="Here"/>;
/// <c>&lt;run-id&gt;</c> filled in, the CLI pointed at this test's <c>serve</c> by <c>RLHF_ENDPOINT</c>, curl's
/// <c>127.0.0.1:7071</c> at its port), or listed in <see cref="Elsewhere"/> with what runs it. A README command in neither
/// list fails the first test, so a new one cannot go untested.
/// </summary>
public sealed partial class ReadmeCommandsTests
{
    private const string Build = "dotnet build src/Cli -c Release";
    private const string Serve = "dotnet src/Cli/bin/Release/net10.0/rlhf.dll serve";
    private const string Rlhf = "rlhf=\"dotnet src/Cli/bin/Release/net10.0/rlhf.dll\"";
    private const string Start = "$rlhf run start configs/tiny.json";
    private const string Watch = "$rlhf run watch <run-id>";
    private const string Show = "$rlhf run show <run-id>";
    private const string List = "$rlhf runs list";
    private const string Report = "$rlhf run report <run-id> --out report.html";
    private const string Rerun = "$rlhf run rerun <run-id> --from policy --set policy.ppo.learningRate=0.0002";
    private const string Compare = "$rlhf runs compare <run-id> <rerun-id> --out compare.html";
    private const string Cancel = "$rlhf run cancel <run-id>";
    private const string CurlStart = "curl -X POST http://127.0.0.1:7071/api/runs -H 'content-type: application/json' --data-binary @configs/tiny.json";
    private const string CurlGet = "curl http://127.0.0.1:7071/api/runs/<run-id>";

    private static readonly string[] Here = [Build, Serve, Rlhf, Start, Watch, Show, List, Report, Rerun, Compare, Cancel, CurlStart, CurlGet];

    /// <summary>README commands run by something else than this test, and what.</summary>
    private static readonly Dictionary<string, string> Elsewhere = new(StringComparer.Ordinal)
    {
        // not whole: fetch-data.sh (the public demo data from npm, minutes) is run by no test
        ["./scripts/demo.sh"] = "its last step, `rlhf demo`, runs in CliTests.Demo_keeps_its_report_as_a_file_that_outlives_the_host; its build is the README's `dotnet build src/Cli -c Release`, run here; bootstrap.sh runs in test.sh",
        ["./scripts/test.sh"] = ".ci/run runs exactly this",
    };

    /// <summary>The Deploy-to-Azure commands need an Azure subscription, which CI does not have (infra is checked offline by bicep-check).</summary>
    [GeneratedRegex(@"^(azd |az |acr=|app=|export RLHF_FUNCTION_KEY=)|azd env get-value")]
    private static partial Regex AzureOnly();

    [Fact]
    public void Every_README_command_is_run_here_or_names_what_runs_it()
    {
        var commands = ReadmeCommands();

        var unaccounted = commands.Where(c => !Here.Contains(c) && !Elsewhere.ContainsKey(c) && !AzureOnly().IsMatch(c)).ToList();
        Assert.True(unaccounted.Count == 0, $"README commands no test runs: {string.Join(" | ", unaccounted)}");
        Assert.Empty(Here.Except(commands));
        Assert.Empty(Elsewhere.Keys.Except(commands));
    }

    [Fact]
    public async Task The_README_commands_work_as_written_against_a_serve_started_as_written()
    {
        var root = RepoRoot.Find()!;
        var data = Directory.CreateTempSubdirectory("rlhf-readme-").FullName;
        var port = FreePorts.FindConsecutive(1);
        var endpoint = $"http://127.0.0.1:{port}";
        var created = new[] { "report.html", "compare.html" }.Where(f => !File.Exists(Path.Combine(root, f))).ToList();
        Assert.Equal(0, (await ShAsync(Build, root, endpoint)).Code);
        // as written, plus where to put its state and ports: this machine may run other hosts
        var serve = StartServe($"{Serve} --port {port} --data-dir {data} --azurite-port {FreePorts.FindConsecutive(3)}", root);
        try
        {
            await WaitUntilServingAsync(endpoint, serve);

            var start = await RlhfAsync(Start, root, endpoint);
            var runId = Regex.Match(start, @"Started run (\S+)").Groups[1].Value;
            Assert.Contains($"report: {endpoint}/api/runs/{runId}/report", start, StringComparison.Ordinal);
            // the curl example starts a run (the spec's // comments survive --data-binary); the CLI cancels it while it runs
            // (started beside the first run, it finds no completed step to reuse)
            var posted = await ShAsync(Curl(CurlStart, port), root, endpoint);
            Assert.Equal(0, posted.Code);
            var curlRun = (string)JsonNode.Parse(posted.Out)!["id"]!;
            var status = await ShAsync(Curl(CurlGet, port).Replace("<run-id>", curlRun, StringComparison.Ordinal), root, endpoint);
            Assert.Equal(curlRun, (string?)JsonNode.Parse(status.Out)!["id"]);
            Assert.Contains($"Cancel requested for run {curlRun}", await RlhfAsync(Cancel.Replace("<run-id>", curlRun, StringComparison.Ordinal), root, endpoint), StringComparison.Ordinal);

            Assert.Contains("Completed", await RlhfAsync(Watch.Replace("<run-id>", runId, StringComparison.Ordinal), root, endpoint), StringComparison.Ordinal);
            Assert.Contains($"run:       {runId}", await RlhfAsync(Show.Replace("<run-id>", runId, StringComparison.Ordinal), root, endpoint), StringComparison.Ordinal);
            Assert.Contains(runId, await RlhfAsync(List, root, endpoint), StringComparison.Ordinal);
            await RlhfAsync(Report.Replace("<run-id>", runId, StringComparison.Ordinal), root, endpoint);
            Assert.Contains($"<code>{runId}</code>", await File.ReadAllTextAsync(Path.Combine(root, "report.html")), StringComparison.Ordinal);

            var rerun = await RlhfAsync(Rerun.Replace("<run-id>", runId, StringComparison.Ordinal), root, endpoint);
            var rerunId = Regex.Match(rerun, @"Started run (\S+),").Groups[1].Value;
            var watched = await RlhfAsync($"$rlhf run watch {rerunId}", root, endpoint);
            Assert.Contains($"reward reused from run {runId}", watched, StringComparison.Ordinal);
            var compared = await RlhfAsync(Compare.Replace("<run-id>", runId, StringComparison.Ordinal).Replace("<rerun-id>", rerunId, StringComparison.Ordinal), root, endpoint);
            Assert.Contains("$.policy.ppo.learningRate", compared, StringComparison.Ordinal);
            Assert.Contains("<h1>Run comparison</h1>", await File.ReadAllTextAsync(Path.Combine(root, "compare.html")), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(serve);
            foreach (var file in created)
            {
                File.Delete(Path.Combine(root, file));
            }

            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Each line of the README's <c>bash</c> blocks, without its trailing comment.</summary>
    private static List<string> ReadmeCommands()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Find()!, "README.md"));
        return [.. Regex.Matches(readme, @"```bash\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => Regex.Replace(l, @"\s+#\s.*$", "").Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    private static string Curl(string command, int port) => command.Replace("127.0.0.1:7071", $"127.0.0.1:{port}", StringComparison.Ordinal) + " --fail --silent --show-error";

    /// <summary>A README CLI line, after the README's own <c>rlhf=</c> line, as a user's shell runs them; must exit 0.</summary>
    private static async Task<string> RlhfAsync(string command, string root, string endpoint)
    {
        var (code, output, error) = await ShAsync($"{Rlhf}\n{command}", root, endpoint);
        Assert.True(code == 0, $"`{command}` exited {code}:\n{output}\n{error}");
        return output;
    }

    private static async Task<(int Code, string Out, string Err)> ShAsync(string script, string root, string endpoint)
    {
        var info = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["RLHF_ENDPOINT"] = endpoint;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static Process StartServe(string command, string root)
    {
        var info = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec {command}");
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilServingAsync(string endpoint, Process serve)
    {
        using var client = new Client.RlhfApiClient(new Uri(endpoint));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!await client.IsServingAsync())
        {
            Assert.False(serve.HasExited, $"serve exited with code {(serve.HasExited ? serve.ExitCode : 0)}");
            Assert.True(DateTime.UtcNow < deadline, $"serve did not answer at {endpoint} within 2 minutes");
            await Task.Delay(500);
        }
    }

    /// <summary>SIGTERM, as Ctrl+C would: serve stops its engine and the Azurite it started.</summary>
    private static async Task StopAsync(Process serve)
    {
        if (!serve.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(CliApp.ShutdownGrace + TimeSpan.FromSeconds(10));
            try
            {
                await serve.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                serve.Kill();
            }
        }

        serve.Dispose();
    }
}
