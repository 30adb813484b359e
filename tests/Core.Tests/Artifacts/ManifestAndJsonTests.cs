using System.Text;
using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;

namespace Rlhf.Core.Tests.Artifacts;

public sealed class ManifestAndJsonTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-manifest-").FullName;

    [Fact]
    public async Task ContentHash_matches_the_FIPS_vector_for_abc_on_spans_streams_and_files()
    {
        const string expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        var file = Path.Combine(_root, "abc.txt");
        await File.WriteAllTextAsync(file, "abc");

        Assert.Equal(expected, ContentHash.Sha256("abc"u8));
        Assert.Equal((expected, 3L), await ContentHash.Sha256Async(new MemoryStream("abc"u8.ToArray())));
        Assert.Equal((expected, 3L), await ContentHash.Sha256FileAsync(file));
    }

    [Fact]
    public async Task Manifest_is_deterministic_so_a_replayed_write_is_a_no_op()
    {
        var store = new LocalArtifactStore(_root);
        var prompts = await store.PutAsync("datasets/prompts.jsonl", "{\"prompt\":\"hi\"}\n"u8.ToArray());
        var policy = await store.PutAsync("runs/r1/sft/model.safetensors", "weights"u8.ToArray());
        var inputs = await ManifestWriter.DescribeAsync(store, ["runs/r1/sft/model.safetensors", "datasets/prompts.jsonl"]);

        var first = ManifestWriter.Build("sample", "abc1234", inputs, [], new JsonObject { ["k"] = 4 }, new Dictionary<string, double> { ["z/b"] = 2, ["a/b"] = 1 }, "r1");
        var replay = ManifestWriter.Build("sample", "abc1234", inputs.Reverse(), [], new JsonObject { ["k"] = 4 }, new Dictionary<string, double> { ["a/b"] = 1, ["z/b"] = 2 }, "r1");
        var written = await ManifestWriter.WriteAsync(store, "runs/r1/sample/", first);
        var rewritten = await ManifestWriter.WriteAsync(store, "runs/r1/sample", replay);
        var read = await ManifestWriter.TryReadAsync(store, "runs/r1/sample");

        Assert.Equal(written, rewritten);
        Assert.Equal("runs/r1/sample/manifest.json", written.Path);
        Assert.Equal([prompts, policy], read!.Inputs);
        Assert.Equal(["a/b", "z/b"], read.Metrics.Keys);
        Assert.Equal(4, read.Spec!["k"]!.GetValue<int>());
        Assert.Null(await ManifestWriter.TryReadAsync(store, "runs/r1/reward"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => ManifestWriter.DescribeAsync(store, ["runs/r1/missing.bin"]));
    }

    [Fact]
    public async Task Json_round_trips_with_the_pipeline_options_and_versions()
    {
        var store = new LocalArtifactStore(_root);
        var status = new JobStatus { JobId = "j1", Verb = JobVerbs.Ppo, State = JobState.Running, Step = 10, TotalSteps = 100 };

        Assert.True(await store.OverwriteJsonAsync("jobs/j1/status.json", status, VersionedContent.NoneETag));
        var read = await store.ReadVersionedJsonAsync<JobStatus>("jobs/j1/status.json");
        var bumped = await store.OverwriteJsonAsync("jobs/j1/status.json", status with { Step = 20 }, read!.ETag);
        var stale = await store.OverwriteJsonAsync("jobs/j1/status.json", status with { Step = 30 }, read.ETag);

        Assert.Equal(status, read.Value);
        Assert.True(bumped);
        Assert.False(stale);
        Assert.Equal(20, (await store.ReadJsonAsync<JobStatus>("jobs/j1/status.json")).Step);
        Assert.Contains("\"state\":\"running\"", Encoding.UTF8.GetString(await store.ReadAsync("jobs/j1/status.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_json_errors_name_the_artifact_and_line()
    {
        var store = new LocalArtifactStore(_root);
        await store.PutAsync("jobs/j1/spec.json", "{\n  \"verb\": \"ppo\",\n  \"jobId\": oops\n}"u8.ToArray());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadJsonAsync<JobSpec>("jobs/j1/spec.json"));

        Assert.Contains("'jobs/j1/spec.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
