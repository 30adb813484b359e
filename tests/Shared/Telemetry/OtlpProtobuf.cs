using Google.Protobuf;

namespace Rlhf.Tests.Shared.Telemetry;

/// <summary>A span as OTLP carries it: ids as lower-case hex (parent empty for a root), name, attributes, events.</summary>
public sealed record OtlpSpan(
    string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, object> Attributes, IReadOnlyList<OtlpEvent> Events, int StatusCode)
{
    public DateTimeOffset Start { get; init; }

    public DateTimeOffset End { get; init; }
}

public sealed record OtlpEvent(string Name, IReadOnlyDictionary<string, object> Attributes);

/// <summary>A metric as OTLP carries it: name, unit, kind (<c>gauge</c>, <c>sum</c>, <c>histogram</c>) and data points.</summary>
public sealed record OtlpMetric(string Service, string Name, string Unit, string Kind, IReadOnlyList<OtlpPoint> Points);

/// <summary>One data point: its attributes and value (a sum's or gauge's value, a histogram's count and sum).</summary>
public sealed record OtlpPoint(IReadOnlyDictionary<string, object> Attributes, double Value, double Sum);

/// <summary>
/// Reads the few fields the tests need from OTLP/HTTP protobuf bodies (<c>ExportTraceServiceRequest</c>,
/// <c>ExportMetricsServiceRequest</c> of opentelemetry-proto), by field number with Google.Protobuf's wire reader;
/// every other field is skipped. Field numbers from opentelemetry/proto/{trace,metrics,common,resource}/v1/*.proto.
/// </summary>
public static class OtlpProtobuf
{
    public static List<OtlpSpan> ReadTraces(byte[] body)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Repeated(body, 1))
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in Repeated(resourceSpans, 2))
            {
                var scope = Repeated(scopeSpans, 1).Select(s => Fields(s).Strings(1).FirstOrDefault() ?? "").FirstOrDefault() ?? "";
                foreach (var span in Repeated(scopeSpans, 2))
                {
                    var f = Fields(span);
                    var status = f.Messages(15).Select(s => (int)Fields(s).Varints(3).FirstOrDefault()).FirstOrDefault();
                    spans.Add(new OtlpSpan(
                        service, scope, Hex(f.Bytes(1).First()), Hex(f.Bytes(2).First()), f.Bytes(4).Select(Hex).FirstOrDefault() ?? "",
                        f.Strings(5).First(), (int)f.Varints(6).FirstOrDefault(), Attributes(f.Messages(9)),
                        [.. f.Messages(11).Select(e => new OtlpEvent(Fields(e).Strings(2).First(), Attributes(Fields(e).Messages(3))))],
                        status)
                    {
                        Start = UnixNanos(f.Fixed64(7).First()),
                        End = UnixNanos(f.Fixed64(8).First()),
                    });
                }
            }
        }

        return spans;
    }

    public static List<OtlpMetric> ReadMetrics(byte[] body)
    {
        var metrics = new List<OtlpMetric>();
        foreach (var resourceMetrics in Repeated(body, 1))
        {
            var service = ServiceName(resourceMetrics);
            foreach (var scopeMetrics in Repeated(resourceMetrics, 2))
            {
                foreach (var metric in Repeated(scopeMetrics, 2))
                {
                    var f = Fields(metric);
                    var (kind, field) = f.Numbers.Contains(5) ? ("gauge", 5) : f.Numbers.Contains(7) ? ("sum", 7) : f.Numbers.Contains(9) ? ("histogram", 9) : ("other", 0);
                    var points = field == 0 ? [] : Repeated(f.Messages(field).First(), 1).Select(p => kind == "histogram" ? HistogramPoint(p) : NumberPoint(p)).ToList();
                    metrics.Add(new OtlpMetric(service, f.Strings(1).First(), f.Strings(3).FirstOrDefault() ?? "", kind, points));
                }
            }
        }

        return metrics;
    }

    /// <summary>NumberDataPoint: attributes 7, as_double 4 (double), as_int 6 (sfixed64).</summary>
    private static OtlpPoint NumberPoint(byte[] point)
    {
        var f = Fields(point);
        var value = f.Fixed64(4).Select(BitConverter.UInt64BitsToDouble).Concat(f.Fixed64(6).Select(v => (double)unchecked((long)v))).FirstOrDefault();
        return new OtlpPoint(Attributes(f.Messages(7)), value, value);
    }

    /// <summary>HistogramDataPoint: attributes 9, count 4 (fixed64), sum 5 (double).</summary>
    private static OtlpPoint HistogramPoint(byte[] point)
    {
        var f = Fields(point);
        return new OtlpPoint(Attributes(f.Messages(9)), f.Fixed64(4).FirstOrDefault(), f.Fixed64(5).Select(BitConverter.UInt64BitsToDouble).FirstOrDefault());
    }

    private static string ServiceName(byte[] resourceMessage) =>
        Repeated(resourceMessage, 1).Select(r => Attributes(Fields(r).Messages(1))).Select(a => a.GetValueOrDefault("service.name") as string).FirstOrDefault() ?? "";

    private static Dictionary<string, object> Attributes(IEnumerable<byte[]> keyValues)
    {
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var keyValue in keyValues)
        {
            var f = Fields(keyValue);
            var value = f.Messages(2).Select(AnyValue).FirstOrDefault();
            if (value is not null)
            {
                attributes[f.Strings(1).First()] = value;
            }
        }

        return attributes;
    }

    private static object? AnyValue(byte[] message)
    {
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: return input.ReadString();
                case 2: return input.ReadBool();
                case 3: return input.ReadInt64();
                case 4: return input.ReadDouble();
                default: input.SkipLastField(); break;
            }
        }

        return null;
    }

    private static IEnumerable<byte[]> Repeated(byte[] message, int field) => Fields(message).Messages(field);

    private static DateTimeOffset UnixNanos(ulong nanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static FieldSet Fields(byte[] message)
    {
        var set = new FieldSet();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            object value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.LengthDelimited => input.ReadBytes().ToByteArray(),
                WireFormat.WireType.Varint => input.ReadUInt64(),
                WireFormat.WireType.Fixed64 => input.ReadFixed64(),
                WireFormat.WireType.Fixed32 => input.ReadFixed32(),
                _ => throw new InvalidDataException($"Unexpected wire type in field {number}."),
            };
            set.Add(number, value);
        }

        return set;
    }

    /// <summary>The fields of one message by number, in wire order.</summary>
    private sealed class FieldSet
    {
        private readonly List<(int Number, object Value)> _fields = [];

        public IEnumerable<int> Numbers => _fields.Select(f => f.Number);

        public void Add(int number, object value) => _fields.Add((number, value));

        public IEnumerable<byte[]> Messages(int number) => _fields.Where(f => f.Number == number).Select(f => (byte[])f.Value);

        public IEnumerable<byte[]> Bytes(int number) => Messages(number);

        public IEnumerable<string> Strings(int number) => Messages(number).Select(b => System.Text.Encoding.UTF8.GetString(b));

        public IEnumerable<ulong> Varints(int number) => _fields.Where(f => f.Number == number && f.Value is ulong).Select(f => (ulong)f.Value);

        public IEnumerable<ulong> Fixed64(int number) => _fields.Where(f => f.Number == number && f.Value is ulong).Select(f => (ulong)f.Value);
    }
}
