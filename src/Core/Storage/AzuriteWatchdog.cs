using System.Runtime.CompilerServices;
using System.Text;
using Rlhf.Core.Artifacts;

[assembly: InternalsVisibleTo("Core.Tests")]

namespace Rlhf.Core.Storage;

/// <summary>
/// Makes a started Azurite stop itself (gracefully, via SIGTERM) within a second of its owner process dying, so a
/// killed test host or CLI never leaves an emulator behind. Loaded into Azurite's node with <c>NODE_OPTIONS=--require</c>.
/// </summary>
internal static class AzuriteWatchdog
{
    private const string OwnerVariable = "RLHF_AZURITE_OWNER_PID";

    private const string Script = """
        // Stops this Azurite when the process that started it is gone.
        const owner = Number(process.env.RLHF_AZURITE_OWNER_PID);
        if (owner > 0) {
          const timer = setInterval(() => {
            try { process.kill(owner, 0); }
            catch (e) { if (e.code === 'ESRCH') { clearInterval(timer); process.kill(process.pid, 'SIGTERM'); } }
          }, 1000);
          timer.unref();
        }
        """;

    public static void Attach(IDictionary<string, string?> environment, int ownerProcessId)
    {
        environment[OwnerVariable] = ownerProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var existing = environment.TryGetValue("NODE_OPTIONS", out var options) ? options : null;
        environment["NODE_OPTIONS"] = $"{existing} --require \"{ScriptFile()}\"".Trim();
    }

    /// <summary>The script on disk, named by its hash and published atomically so concurrent starters never read half a file.</summary>
    private static string ScriptFile()
    {
        var bytes = Encoding.UTF8.GetBytes(Script);
        var file = Path.Combine(Path.GetTempPath(), $"rlhf-azurite-watchdog-{ContentHash.Sha256(bytes)[..12]}.js");
        if (!File.Exists(file))
        {
            var temp = $"{file}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, file, overwrite: true);
        }

        return file;
    }
}
