using System.Net;
using Rlhf.Api;

namespace Rlhf.Cli.Client;

/// <summary>The API answered with an error; <see cref="Problem"/> holds its problem details when it sent some.</summary>
public sealed class RlhfApiException(HttpStatusCode status, ApiProblem? problem, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public ApiProblem? Problem { get; } = problem;
}

/// <summary>Nothing answered at the endpoint.</summary>
public sealed class RlhfEndpointUnreachableException(Uri endpoint, Exception inner)
    : Exception($"Cannot reach {endpoint}: {inner.Message}. Is `rlhf serve` running at {endpoint}? (start it with `rlhf serve`, or pass --endpoint)", inner)
{
    public Uri Endpoint { get; } = endpoint;
}
