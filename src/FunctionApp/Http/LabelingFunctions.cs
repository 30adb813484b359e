using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Rlhf.Api.Labeling;

namespace Rlhf.FunctionApp.Http;

/// <summary>
/// The human labeling endpoints as HTTP triggers over the <see cref="LabelingApi"/> handlers the local host maps in
/// <see cref="LabelingEndpoints.MapRlhfLabeling"/>. Issuing links needs a function key (it is an admin call); the page and
/// the labeler endpoints are anonymous because the signed token in each request is the credential.
/// </summary>
public sealed class LabelingFunctions(HumanLabeling labeling)
{
    [Function(nameof(CreateLabelLinks))]
    public Task<IResult> CreateLabelLinks(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/label-links")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        LabelingApi.LinksAsync(request, id, client, labeling, cancellationToken);

    [Function(nameof(LabelPageHtml))]
    public IResult LabelPageHtml(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "label")] HttpRequest request) =>
        LabelingApi.Page();

    [Function(nameof(GetLabelBatch))]
    public Task<IResult> GetLabelBatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "label/batch")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        LabelingApi.BatchAsync(request, client, labeling, cancellationToken);

    [Function(nameof(SubmitLabels))]
    public Task<IResult> SubmitLabels(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "label/submissions")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        LabelingApi.SubmitAsync(request, client, labeling, cancellationToken);
}
