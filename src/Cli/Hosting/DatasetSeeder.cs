using Microsoft.Extensions.Logging;
using Rlhf.Core.Artifacts;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// Puts the built-in datasets into the artifact store: <c>data/tiny/**</c> → <c>datasets/tiny/**</c> and, when
/// fetched, <c>data/full/**</c> → <c>datasets/demo/**</c>. Blobs are write-once, so seeding again is a no-op;
/// a local file that changed since it was seeded is reported and left as stored (runs keep their inputs).
/// </summary>
public static class DatasetSeeder
{
    public static IReadOnlyList<(string Folder, string Prefix)> Sources { get; } = [("data/tiny", "datasets/tiny"), ("data/full", "datasets/demo")];

    /// <summary>Returns how many files are in the store under each seeded prefix.</summary>
    public static async Task<int> SeedAsync(IArtifactStore store, string? repoRoot, ILogger logger, CancellationToken cancellationToken = default)
    {
        if (repoRoot is null)
        {
            logger.LogWarning("Repository root not found; built-in datasets were not seeded");
            return 0;
        }

        var seeded = 0;
        foreach (var (folder, prefix) in Sources)
        {
            var root = Path.Combine(repoRoot, folder);
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                var path = $"{prefix}/{relative}";
                if (!ArtifactPath.IsValid(path))
                {
                    logger.LogDebug("Skipping {File}: not a valid artifact name", file);
                    continue;
                }

                try
                {
                    await PutRidingOutOutagesAsync(store, path, file, logger, cancellationToken);
                    seeded++;
                }
                catch (ArtifactConflictException)
                {
                    logger.LogWarning("{Path} already holds different content than {File}; keeping the stored version", path, file);
                    seeded++;
                }
            }
        }

        return seeded;
    }

    /// <summary>How long seeding waits for unreachable storage (a restarting emulator) before it gives up.</summary>
    public static TimeSpan OutageBudget { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Puts one file, retrying with backoff (0.5 s doubling to 8 s) while the storage does not answer.</summary>
    private static async Task PutRidingOutOutagesAsync(IArtifactStore store, string path, string file, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + OutageBudget;
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await store.PutFileAsync(path, file, cancellationToken);
                return;
            }
            catch (Exception e) when (StorageErrors.IsUnreachable(e) && DateTime.UtcNow + delay < deadline)
            {
                logger.LogWarning("Storage unreachable while seeding {Path}, retrying in {Seconds:0.0} s ({Reason})", path, delay.TotalSeconds, StorageErrors.Reason(e));
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(8).Ticks));
            }
            catch (Exception e) when (StorageErrors.IsUnreachable(e))
            {
                throw new InvalidOperationException(
                    $"Storage did not answer for {OutageBudget.TotalSeconds:0} s while seeding the built-in datasets ({StorageErrors.Reason(e)}).", e);
            }
        }
    }
}
