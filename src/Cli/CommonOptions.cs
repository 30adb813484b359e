using System.CommandLine;

namespace Rlhf.Cli;

/// <summary>Options every client verb understands (recursive on the root command).</summary>
public sealed class CommonOptions
{
    public const string DefaultEndpoint = "http://127.0.0.1:7071";

    public Option<Uri> Endpoint { get; } = new("--endpoint")
    {
        Description = "Base URL of the rlhf API: a local `rlhf serve` or a deployed Function App (env RLHF_ENDPOINT)",
        DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable("RLHF_ENDPOINT") ?? DefaultEndpoint),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return uri;
            }

            result.AddError($"--endpoint '{text}' is not an http(s) URL such as {DefaultEndpoint}.");
            return null;
        },
        Recursive = true,
    };

    public Option<string?> FunctionKey { get; } = new("--function-key")
    {
        Description = "Function key of a deployed Function App (env RLHF_FUNCTION_KEY); sent as the x-functions-key header, never printed",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write machine-readable JSON instead of tables",
        Recursive = true,
    };
}
