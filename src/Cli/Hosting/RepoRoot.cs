namespace Rlhf.Cli.Hosting;

/// <summary>Finds the repository root (the folder with <c>Pipeline.sln</c>) from the working directory or the binary's folder.</summary>
public static class RepoRoot
{
    public static string? Find(string? explicitRoot = null)
    {
        if (explicitRoot is not null)
        {
            return Path.GetFullPath(explicitRoot);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>A path as given when it exists, else relative to the repository root.</summary>
    public static string Resolve(string path, string? repoRoot)
    {
        if (Path.IsPathRooted(path) || File.Exists(path) || repoRoot is null)
        {
            return Path.GetFullPath(path);
        }

        return Path.Combine(repoRoot, path);
    }
}
