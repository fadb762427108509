using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;

namespace QueueLab.Coordination;

/// <summary>The JSON of every coordination document (camelCase, source-generated).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(QueueDocument))]
[JsonSerializable(typeof(AssignmentDocument))]
[JsonSerializable(typeof(AppliedDocument))]
[JsonSerializable(typeof(MemberDocument))]
public sealed partial class CoordinationJson : JsonSerializerContext
{
    public static ByteString Serialize<T>(T value) =>
        ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), Default));

    /// <summary>The document in <paramref name="value"/>, or null when it is not valid JSON of that shape.</summary>
    public static T? TryDeserialize<T>(ByteString value)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(value.Span, typeof(T), Default) as T;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
