using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Rlhf.Api;

/// <summary>
/// Response headers of what the API serves to browsers: every HTML page gets a Content-Security-Policy (nothing but its
/// own inline script and style, which are pinned by hash where the page has them), <c>X-Frame-Options: DENY</c>,
/// <c>X-Content-Type-Options: nosniff</c> and no referrer (a labeling link carries its token in the URL). Downloaded
/// artifacts are sandboxed, so an HTML or SVG artifact cannot run script in the API's origin.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The policy of a page without scripts (the run report: inline styles and images, charts as inline SVG).</summary>
    public const string ReportPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The policy of an artifact download: no script, no plugins, its own unique origin.</summary>
    public const string ArtifactPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

    /// <summary>A policy for a page whose only script and style are its inline <c>&lt;script&gt;</c> and <c>&lt;style&gt;</c> blocks.</summary>
    public static string PagePolicy(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return $"default-src 'none'; script-src {Hashes(html, "script")}; style-src {Hashes(html, "style")}; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /// <summary>HTML with the page headers and the given policy.</summary>
    public static IResult Html(string html, string policy) => new WithHeaders(Results.Content(html, "text/html; charset=utf-8"), policy, noStore: true);

    /// <summary>An artifact download with the sandbox policy and nosniff.</summary>
    public static IResult Artifact(IResult file) => new WithHeaders(file, ArtifactPolicy, noStore: false);

    private static string Hashes(string html, string tag)
    {
        var hashes = new List<string>();
        var open = $"<{tag}>";
        var close = $"</{tag}>";
        for (var start = html.IndexOf(open, StringComparison.Ordinal); start >= 0; start = html.IndexOf(open, start + 1, StringComparison.Ordinal))
        {
            var body = start + open.Length;
            var end = html.IndexOf(close, body, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            hashes.Add($"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(html[body..end])))}'");
        }

        return hashes.Count == 0 ? "'none'" : string.Join(' ', hashes);
    }

    private sealed class WithHeaders(IResult inner, string policy, bool noStore) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var headers = httpContext.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (noStore)
            {
                headers.CacheControl = "no-store";
            }

            return inner.ExecuteAsync(httpContext);
        }
    }
}
