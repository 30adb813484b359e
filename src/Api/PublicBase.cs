using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rlhf.Api;

/// <summary>
/// The base URL of every link the API writes (<c>Location</c>, run links, signed labeling links): the configured
/// <see cref="RlhfApiOptions.PublicUrl"/>, else the address the connection arrived at. The request's <c>Host</c> header is
/// never used: a forged one would otherwise be written into links people click (and into tokens they forward).
/// </summary>
public static class PublicBase
{
    /// <summary>Scheme, authority and path base, without a trailing '/'.</summary>
    public static string Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = request.HttpContext.RequestServices?.GetService<IOptions<RlhfApiOptions>>()?.Value;
        if (options?.PublicUrl is { } url)
        {
            return url.GetLeftPart(UriPartial.Path).TrimEnd('/');
        }

        var connection = request.HttpContext.Connection;
        var authority = connection.LocalIpAddress is { } ip ? $"{Literal(ip)}:{connection.LocalPort}" : "localhost";
        return $"{request.Scheme}://{authority}{request.PathBase}";
    }

    /// <summary>An IP address as a URL host: IPv6 in brackets, IPv4-mapped IPv6 as IPv4.</summary>
    public static string Literal(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var address = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
    }
}
