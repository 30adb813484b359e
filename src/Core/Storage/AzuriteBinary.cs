namespace Rlhf.Core.Storage;

/// <summary>Finds the repo's own Azurite (pinned in the root <c>package.json</c>, installed by <c>npm ci</c>).</summary>
public static class AzuriteBinary
{
    /// <summary>Overrides the search with an explicit azurite executable.</summary>
    public const string EnvironmentVariable = "RLHF_AZURITE_BIN";

    private const string InstallHint = "Run `npm ci` at the repo root (needs Node.js 20)";

    /// <summary><c>RLHF_AZURITE_BIN</c> when set, else <see cref="FindInRepo"/> from <paramref name="searchFrom"/> (default <see cref="AppContext.BaseDirectory"/>).</summary>
    public static string Find(string? searchFrom = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return FindInRepo(searchFrom ?? AppContext.BaseDirectory);
        }

        return File.Exists(fromEnvironment)
            ? Path.GetFullPath(fromEnvironment)
            : throw new FileNotFoundException($"{EnvironmentVariable} points to '{fromEnvironment}', which does not exist.", fromEnvironment);
    }

    /// <summary>
    /// Walks up from <paramref name="searchFrom"/> to the first folder whose <c>package.json</c> lists azurite and returns
    /// its <c>node_modules/.bin/azurite</c> (<c>azurite.cmd</c> on Windows). Throws <see cref="FileNotFoundException"/>
    /// with the install hint when there is no such folder or the package is not installed.
    /// </summary>
    public static string FindInRepo(string searchFrom)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(searchFrom);
        var start = Path.GetFullPath(searchFrom);
        var repo = FindRepoRoot(start)
            ?? throw new FileNotFoundException(
                $"Azurite not found: no package.json listing azurite in '{start}' or any folder above it. {InstallHint}, or set {EnvironmentVariable}.");

        var binary = Path.Combine(repo, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");
        return File.Exists(binary)
            ? binary
            : throw new FileNotFoundException(
                $"Azurite not found at '{binary}': node_modules is missing or incomplete. {InstallHint}, or set {EnvironmentVariable}.", binary);
    }

    private static string? FindRepoRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var manifest = Path.Combine(folder.FullName, "package.json");
            if (File.Exists(manifest) && File.ReadAllText(manifest).Contains("\"azurite\"", StringComparison.Ordinal))
            {
                return folder.FullName;
            }
        }

        return null;
    }
}
