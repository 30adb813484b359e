using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Rlhf.Api;

/// <summary>
/// The local host's front door (docs/security.md): it listens on loopback for one user, so it answers only requests that
/// name it (<c>Host</c> is a loopback name, the address the connection arrived at, <see cref="RlhfApiOptions.PublicUrl"/>'s
/// host or one of <see cref="RlhfApiOptions.AllowedHosts"/>: DNS rebinding is refused) and it refuses state-changing
/// requests a web page in the user's browser sends from another origin (<c>Sec-Fetch-Site</c>, <c>Origin</c>).
/// The Function App does not need it: every HTTP trigger there requires a function key or Entra ID.
/// </summary>
public sealed class LocalHostGuard(IOptions<RlhfApiOptions> options) : IEndpointFilter
{
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]", "::1"];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return Refusal(context.HttpContext.Request, options.Value) ?? await next(context);
    }

    /// <summary>The problem to answer instead of handling <paramref name="request"/>, or null to let it through.</summary>
    public static IResult? Refusal(HttpRequest request, RlhfApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var host = request.Host.Host;
        if (!IsAllowedHost(host, request.HttpContext.Connection.LocalIpAddress, options))
        {
            return ApiProblem.BadRequest("Unexpected Host header", [new ApiError("Host", $"This host does not answer to '{Shorten(host)}'; use a loopback address, or set RlhfApi:PublicUrl / RlhfApi:AllowedHosts.")]);
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return ApiProblem.Forbidden($"Cross-site {request.Method} refused (Sec-Fetch-Site: {Shorten(site)}): the API changes state only for same-origin pages and tools.");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsOwnOrigin(origin, request, options))
        {
            return ApiProblem.Forbidden($"Cross-origin {request.Method} refused (Origin: {Shorten(origin)}).");
        }

        return null;
    }

    private static bool IsAllowedHost(string host, IPAddress? local, RlhfApiOptions options) =>
        host.Length > 0
        && (LoopbackNames.Contains(host, StringComparer.OrdinalIgnoreCase)
            || (options.PublicUrl is { } url && string.Equals(url.Host, host, StringComparison.OrdinalIgnoreCase))
            || options.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase)
            || (local is not null && IPAddress.TryParse(host.Trim('[', ']'), out var literal) && Normal(literal).Equals(Normal(local))));

    private static bool IsOwnOrigin(string origin, HttpRequest request, RlhfApiOptions options)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var own = $"{request.Scheme}://{request.Host}";
        return string.Equals(uri.GetLeftPart(UriPartial.Authority), new Uri(own).GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            || (options.PublicUrl is { } url && string.Equals(uri.GetLeftPart(UriPartial.Authority), url.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase));
    }

    private static IPAddress Normal(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    private static string Shorten(string text) => text.Length <= 64 ? text : $"{text[..64]}...";
}
