using DurableTask.AzureStorage;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// Lets Azure Storage queue messages carry sub-orchestration starts that came through the gRPC sidecar.
/// The sidecar hands DurableTask.Core the protobuf map of tags (<c>Google.Protobuf.Collections.MapField&lt;string,string&gt;</c>)
/// as <c>ExecutionStartedEvent.Tags</c>; the storage provider writes its CLR type name into the message and
/// cannot resolve it when reading it back, so the sub-orchestration never starts. This binder writes and
/// reads that map as a plain <see cref="Dictionary{TKey,TValue}"/>; every other type binds as the provider's default does.
/// </summary>
public sealed class ProtobufTagsTypeBinder : ICustomTypeBinder
{
    private const string MapFieldTypeName = "Google.Protobuf.Collections.MapField`2";

    private static readonly Type Tags = typeof(Dictionary<string, string>);

    public void BindToName(Type serializedType, out string assemblyName, out string typeName)
    {
        ArgumentNullException.ThrowIfNull(serializedType);
        assemblyName = null!;
        typeName = IsMapField(serializedType.FullName) ? Tags.FullName! : serializedType.FullName!;
    }

    public Type BindToType(string assemblyName, string typeName) =>
        IsMapField(typeName) ? Tags : Type.GetType(typeName, throwOnError: true)!;

    private static bool IsMapField(string? typeName) => typeName?.StartsWith(MapFieldTypeName, StringComparison.Ordinal) == true;
}
