using Microsoft.AspNetCore.Http;
using Rlhf.Core.Labeling;

namespace Rlhf.Api.Labeling;

/// <summary>Problem responses of the labeling endpoints that <see cref="ApiProblem"/> has no helper for.</summary>
internal static class LabelingProblems
{
    /// <summary>401 for a missing, forged or expired token; 403 for a genuine token used outside its run and batch.</summary>
    public static IResult Refused(LabelTokenCheck check) => check.Failure == LabelTokenFailure.WrongScope
        ? Problem(StatusCodes.Status403Forbidden, "Forbidden", check.Reason)
        : Problem(StatusCodes.Status401Unauthorized, "Invalid labeling link", check.Reason);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    private static IResult Problem(int status, string title, string? detail) =>
        new ApiProblem($"https://httpstatuses.io/{status}", title, status, detail).ToResult();
}
