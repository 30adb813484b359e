using System.Text;
using Rlhf.Core.Artifacts;
using Rlhf.Tests.Shared;

namespace Rlhf.Core.Tests.Artifacts;

/// <summary>The <see cref="IArtifactStore"/> contract, run against a local folder and against Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ArtifactStoreContractTests(AzuriteFixture azurite) : IDisposable
{
    /// <summary>SHA-256("abc") from FIPS 180-2, appendix B.1.</summary>
    private const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    private readonly StoreKinds _stores = new(azurite);

    public static TheoryData<string> Kinds => StoreKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Put_is_write_once_same_bytes_no_op_different_bytes_conflict(string kind)
    {
        var store = _stores.Create(kind);
        var first = await store.PutAsync("runs/r1/sft/prompts.jsonl", "abc"u8.ToArray());

        var again = await store.PutAsync("runs/r1/sft/prompts.jsonl", "abc"u8.ToArray());
        var conflict = await Assert.ThrowsAsync<ArtifactConflictException>(() => store.PutAsync("runs/r1/sft/prompts.jsonl", "abd"u8.ToArray()));

        Assert.Equal(first, again);
        Assert.Contains("runs/r1/sft/prompts.jsonl", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("abc", Encoding.UTF8.GetString(await store.ReadAsync("runs/r1/sft/prompts.jsonl")));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Put_returns_hand_checked_sha256_and_reads_back(string kind)
    {
        var store = _stores.Create(kind);

        var written = await store.PutAsync("a/abc.txt", "abc"u8.ToArray());

        Assert.Equal(new ArtifactRef("a/abc.txt", AbcSha256, 3), written);
        Assert.Equal(written, await store.GetRefAsync("a/abc.txt"));
        Assert.Equal("abc"u8.ToArray(), await store.ReadAsync("a/abc.txt"));
        Assert.True(await store.ExistsAsync("a/abc.txt"));
        Assert.False(await store.ExistsAsync("a/other.txt"));
        Assert.Null(await store.GetRefAsync("a/other.txt"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Missing_artifacts_are_reported_as_not_found(string kind)
    {
        var store = _stores.Create(kind);
        var target = Path.Combine(_stores.Sandbox, "download", "missing.bin");

        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.ReadAsync("nope/x.json"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.DownloadToFileAsync("nope/x.json", target));
        Assert.Null(await store.ReadVersionedAsync("nope/x.json"));
        Assert.False(File.Exists(target));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Large_file_round_trips_through_PutFile_and_DownloadToFile(string kind)
    {
        var store = _stores.Create(kind);
        var content = new byte[9 * 1024 * 1024 + 17]; // more than one 8 MiB block
        new Random(7).NextBytes(content);
        var source = _stores.NewFile(content);
        var target = Path.Combine(_stores.Sandbox, "out", "weights.safetensors");

        var written = await store.PutFileAsync("models/m1/weights.safetensors", source);
        var again = await store.PutFileAsync("models/m1/weights.safetensors", source);
        await store.DownloadToFileAsync("models/m1/weights.safetensors", target);

        Assert.Equal(ContentHash.Sha256(content), written.Sha256);
        Assert.Equal(content.Length, written.Bytes);
        Assert.Equal(written, again);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        content[0] ^= 1;
        await Assert.ThrowsAsync<ArtifactConflictException>(() => store.PutFileAsync("models/m1/weights.safetensors", _stores.NewFile(content)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task List_returns_paths_under_a_prefix_in_ordinal_order(string kind)
    {
        var store = _stores.Create(kind);
        foreach (var path in new[] { "runs/r1/sub/b.bin", "runs/r1/a.json", "runs/r10/c.txt", "other/x.txt", "runs/r1/B.json" })
        {
            await store.PutAsync(path, Encoding.UTF8.GetBytes(path));
        }

        Assert.Equal(["runs/r1/B.json", "runs/r1/a.json", "runs/r1/sub/b.bin"], await ToListAsync(store.ListAsync("runs/r1/")));
        Assert.Equal(["runs/r1/B.json", "runs/r1/a.json", "runs/r1/sub/b.bin", "runs/r10/c.txt"], await ToListAsync(store.ListAsync("runs/r1")));
        Assert.Equal(5, (await ToListAsync(store.ListAsync(""))).Count);
        Assert.Empty(await ToListAsync(store.ListAsync("nothing/")));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeletePrefix_removes_only_what_is_under_the_prefix(string kind)
    {
        var store = _stores.Create(kind);
        foreach (var path in new[] { "runs/r1/a.json", "runs/r1/sub/b.bin", "runs/r10/c.txt" })
        {
            await store.PutAsync(path, "x"u8.ToArray());
        }

        var deleted = await store.DeletePrefixAsync("runs/r1/");

        Assert.Equal(2, deleted);
        Assert.Equal(["runs/r10/c.txt"], await ToListAsync(store.ListAsync("")));
        Assert.False(await store.ExistsAsync("runs/r1/a.json"));
        Assert.Equal(0, await store.DeletePrefixAsync("runs/r1/"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Overwrite_with_stale_etag_fails_and_keeps_content(string kind)
    {
        var store = _stores.Create(kind);
        Assert.True(await store.OverwriteAsync("champion.json", "v1"u8.ToArray(), VersionedContent.NoneETag));
        var v1 = await store.ReadVersionedAsync("champion.json");
        Assert.True(await store.OverwriteAsync("champion.json", "v2"u8.ToArray(), v1!.ETag));

        var stale = await store.OverwriteAsync("champion.json", "v3"u8.ToArray(), v1.ETag);
        var noneOnExisting = await store.OverwriteAsync("champion.json", "v4"u8.ToArray(), VersionedContent.NoneETag);

        Assert.False(stale);
        Assert.False(noneOnExisting);
        var current = await store.ReadVersionedAsync("champion.json");
        Assert.Equal("v2", Encoding.UTF8.GetString(current!.Content));
        Assert.NotEqual(v1.ETag, current.ETag);
        Assert.True(await store.OverwriteAsync("champion.json", "v5"u8.ToArray()));
        Assert.Equal("v5"u8.ToArray(), await store.ReadAsync("champion.json"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Overwrite_with_an_etag_on_a_missing_document_fails(string kind)
    {
        var store = _stores.Create(kind);
        await store.OverwriteAsync("seed.json", "x"u8.ToArray());
        var etag = (await store.ReadVersionedAsync("seed.json"))!.ETag;

        Assert.False(await store.OverwriteAsync("other.json", "y"u8.ToArray(), etag));
        Assert.False(await store.ExistsAsync("other.json"));
    }

    [Theory]
    [InlineData(StoreKinds.Local, "../x")]
    [InlineData(StoreKinds.Local, "/abs")]
    [InlineData(StoreKinds.Local, "a/../b")]
    [InlineData(StoreKinds.Local, "a\\b")]
    [InlineData(StoreKinds.Blob, "../x")]
    [InlineData(StoreKinds.Blob, "/abs")]
    [InlineData(StoreKinds.Blob, "a/../b")]
    [InlineData(StoreKinds.Blob, "a\\b")]
    public async Task Traversal_paths_are_rejected_by_name_and_nothing_is_written(string kind, string path)
    {
        var store = _stores.Create(kind);
        var file = _stores.NewFile("x"u8.ToArray());
        var before = Directory.GetFileSystemEntries(_stores.Sandbox, "*", SearchOption.AllDirectories).Order().ToArray();

        var put = await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(path, "x"u8.ToArray()));
        var putFile = await Assert.ThrowsAsync<ArgumentException>(() => store.PutFileAsync(path, file));
        var overwrite = await Assert.ThrowsAsync<ArgumentException>(() => store.OverwriteAsync(path, "x"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync(path));

        Assert.All([put, putFile, overwrite], ex => Assert.Contains($"'{path}'", ex.Message, StringComparison.Ordinal));
        Assert.Equal(before, Directory.GetFileSystemEntries(_stores.Sandbox, "*", SearchOption.AllDirectories).Order().ToArray());
        Assert.Empty(await ToListAsync(store.ListAsync("")));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Racing_overwrites_on_one_etag_have_exactly_one_winner(string kind)
    {
        const int writers = 6;
        var first = _stores.Create(kind);
        var others = Enumerable.Range(0, writers).Select(_ => ArtifactStores.Open(first.Location)).ToArray(); // independent instances and clients
        await first.OverwriteAsync("champion.json", "start"u8.ToArray());

        for (var round = 0; round < 8; round++)
        {
            var etag = (await first.ReadVersionedAsync("champion.json"))!.ETag;
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                await start.Task;
                return await others[w].OverwriteAsync("champion.json", Encoding.UTF8.GetBytes($"round {round} writer {w}"), etag);
            })).ToArray();
            start.SetResult();
            var results = await Task.WhenAll(racing);

            Assert.Equal(1, results.Count(won => won));
            var winner = Array.IndexOf(results, true);
            Assert.Equal($"round {round} writer {winner}", Encoding.UTF8.GetString(await first.ReadAsync("champion.json")));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Racing_first_writes_of_different_content_have_exactly_one_winner(string kind)
    {
        const int writers = 6;
        var store = _stores.Create(kind);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                await store.PutAsync("runs/r1/labels.jsonl", Encoding.UTF8.GetBytes($"writer {w}"));
                return w;
            }
            catch (ArtifactConflictException)
            {
                return -1;
            }
        })).ToArray();
        start.SetResult();

        var outcomes = await Task.WhenAll(racing);

        var winner = Assert.Single(outcomes, w => w >= 0);
        Assert.Equal($"writer {winner}", Encoding.UTF8.GetString(await store.ReadAsync("runs/r1/labels.jsonl")));
    }

    public void Dispose() => _stores.Dispose();

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> paths)
    {
        var list = new List<string>();
        await foreach (var path in paths)
        {
            list.Add(path);
        }

        return list;
    }
}
