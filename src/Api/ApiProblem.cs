using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Rlhf.Core.Json;

namespace Rlhf.Api;

/// <summary>One offending field of a request: a JSON path (<c>$.sampling.k</c>) or a query parameter (<c>?runId</c>).</summary>
public sealed record ApiError(string Path, string Message);

/// <summary>
/// RFC 9457 problem details (<c>application/problem+json</c>), with <see cref="Errors"/> naming each
/// offending field so a client can point at it.
/// </summary>
public sealed record ApiProblem(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string? Detail = null,
    [property: JsonPropertyName("errors")] IReadOnlyList<ApiError>? Errors = null)
{
    public const string ContentType = "application/problem+json";

    public IResult ToResult() => Results.Json(this, JsonDefaults.Options, ContentType, Status);

    public static IResult BadRequest(string title, IReadOnlyList<ApiError> errors) =>
        new ApiProblem(TypeFor(StatusCodes.Status400BadRequest), title, StatusCodes.Status400BadRequest,
            string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")), errors).ToResult();

    public static IResult NotFound(string detail) =>
        new ApiProblem(TypeFor(StatusCodes.Status404NotFound), "Not found", StatusCodes.Status404NotFound, detail).ToResult();

    public static IResult Conflict(string detail) =>
        new ApiProblem(TypeFor(StatusCodes.Status409Conflict), "Conflict", StatusCodes.Status409Conflict, detail).ToResult();

    public static IResult UnsupportedMediaType(string detail) =>
        new ApiProblem(TypeFor(StatusCodes.Status415UnsupportedMediaType), "Unsupported media type", StatusCodes.Status415UnsupportedMediaType, detail).ToResult();

    public static IResult Forbidden(string detail) =>
        new ApiProblem(TypeFor(StatusCodes.Status403Forbidden), "Forbidden", StatusCodes.Status403Forbidden, detail).ToResult();

    public static IResult TooLarge(string detail) =>
        new ApiProblem(TypeFor(StatusCodes.Status413PayloadTooLarge), "Request body too large", StatusCodes.Status413PayloadTooLarge, detail).ToResult();

    private static string TypeFor(int status) => $"https://httpstatuses.io/{status}";
}
