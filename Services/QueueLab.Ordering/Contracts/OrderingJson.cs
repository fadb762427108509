using System.Text.Json;
using System.Text.Json.Serialization;

namespace QueueLab.Ordering.Contracts;

/// <summary>The one JSON configuration of the pipeline's messages (source generated, no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OrderingMessage))]
[JsonSerializable(typeof(ProcessedResult))]
[JsonSerializable(typeof(SequencedMessage))]
[JsonSerializable(typeof(DeadLetter))]
public sealed partial class OrderingJson : JsonSerializerContext
{
    public static string Serialize(OrderingMessage message) => JsonSerializer.Serialize(message, Default.OrderingMessage);

    public static string Serialize(ProcessedResult result) => JsonSerializer.Serialize(result, Default.ProcessedResult);

    public static string Serialize(DeadLetter entry) => JsonSerializer.Serialize(entry, Default.DeadLetter);

    public static SequencedMessage DeserializeOutput(string json) =>
        JsonSerializer.Deserialize(json, Default.SequencedMessage)
        ?? throw new JsonException("An output message is the JSON literal null.");

    /// <summary>The seq of an output entry, read from its first field (the sequencer writes <c>{"seq":N,...</c>), or null.</summary>
    public static long? SeqOf(string? entry)
    {
        const string Prefix = "{\"seq\":";
        if (entry is null || !entry.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var digits = entry.AsSpan(Prefix.Length);
        var end = digits.IndexOfAnyExceptInRange('0', '9');
        return long.TryParse(end < 0 ? digits : digits[..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            ? seq : null;
    }

    public static DeadLetter DeserializeDeadLetter(string json) =>
        JsonSerializer.Deserialize(json, Default.DeadLetter)
        ?? throw new JsonException("A dead-letter entry is the JSON literal null.");
}
