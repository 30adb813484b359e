using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Writes a safetensors file the way Python's <c>safetensors.torch.save_file</c> does: header with
/// <c>__metadata__ {"format": "pt"}</c> (which <c>transformers</c> checks), padded to 8 bytes,
/// then the little-endian tensor bytes. Reading uses TorchSharp.PyBridge's <c>Safetensors.LoadStateDict</c>.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (any device; copied to CPU) to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();
        var entries = tensors.Select(kv => (kv.Key, Data: kv.Value.detach().cpu().contiguous())).ToList();
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, data) in entries)
        {
            var length = data.NumberOfElements * data.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = DType(data.dtype),
                ["shape"] = new JsonArray(data.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + length),
            };
            offset += length;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        var headerBytes = new byte[padded];
        Array.Fill(headerBytes, (byte)' ');
        json.CopyTo(headerBytes, 0);

        using var stream = File.Create(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);
        stream.Write(lengthBytes);
        stream.Write(headerBytes);
        foreach (var (_, data) in entries)
        {
            stream.Write(data.bytes);
        }
    }

    private static string DType(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"dtype {type} has no safetensors name."),
    };
}
