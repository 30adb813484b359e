using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Rlhf.Api.Tests.Hostile;

/// <summary>
/// One bad request of the corpus: what is sent, the status it must get and the field its problem must name (null where
/// the status alone says it: 415, 403). <see cref="RunId"/>: the run id the request tried to create, which must leave
/// no instance and no blob.
/// </summary>
public sealed record HostileRequest(
    string Name, string Method, string Path, byte[]? Body, string? ContentType, HttpStatusCode Status, string? Field,
    string? RunId = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public override string ToString() => Name;

    public static HostileRequest Spec(string name, Action<JsonObject> edit, string field, string runId)
    {
        var spec = TinySpec();
        edit(spec);
        return new(name, "POST", $"api/runs?runId={runId}", Encoding.UTF8.GetBytes(spec.ToJsonString()), "application/json", HttpStatusCode.BadRequest, field, runId);
    }

    public static HostileRequest Raw(string name, string path, string body, string? contentType, HttpStatusCode status, string? field, string? runId = null, string method = "POST") =>
        new(name, method, path, Encoding.UTF8.GetBytes(body), contentType, status, field, runId);

    public static JsonObject TinySpec() =>
        JsonNode.Parse(Rlhf.Tests.Hosting.LocalHostFixture.TinySpec, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();

    /// <summary>The tiny spec as text with <paramref name="replace"/> applied to its JSON text (for what a JsonObject cannot hold: duplicates, number spellings).</summary>
    public static string TinyText(Func<string, string> replace) => replace(TinySpec().ToJsonString());
}
