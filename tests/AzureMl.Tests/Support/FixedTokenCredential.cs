using System.Collections.Concurrent;
using Azure.Core;

namespace Rlhf.AzureMl.Tests.Support;

/// <summary>The stand-in for Microsoft Entra ID: one fixed bearer token, whatever is asked; it remembers the scopes asked for.</summary>
internal sealed class FixedTokenCredential(string token) : TokenCredential
{
    public ConcurrentQueue<string> Scopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes)
        {
            Scopes.Enqueue(scope);
        }

        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(GetToken(requestContext, cancellationToken));
}
