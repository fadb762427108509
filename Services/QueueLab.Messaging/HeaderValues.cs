using System.Text;

namespace QueueLab.Messaging;

/// <summary>Reads AMQP header values: strings arrive from the broker as UTF-8 byte arrays.</summary>
public static class HeaderValues
{
    public static string? GetString(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? AsString(value) : null;

    public static int GetInt(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? AsInt(value) : 0;

    public static string? AsString(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    public static int AsInt(object? value) => value switch
    {
        int i => i,
        long l => (int)Math.Clamp(l, int.MinValue, int.MaxValue),
        short s => s,
        byte b => b,
        _ => int.TryParse(AsString(value), out var parsed) ? parsed : 0,
    };
}
