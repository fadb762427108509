using System.Collections;
using System.Text;
using RabbitMQ.Client;

namespace QueueLab.Rabbit;

/// <summary>
/// The bytes an AMQP header table takes on the wire (RabbitMQ.Client's encoding of each value type). The whole content
/// header of a message must fit in one frame (<c>frame_max</c>, 128 KiB by default): a copy of a message whose headers
/// nearly fill it, plus the consumer's own headers, would be a frame error that closes the consumer's connection.
/// </summary>
public static class HeaderSize
{
    public static long Of(IDictionary<string, object?>? table)
    {
        long size = 4;
        foreach (var (key, value) in table ?? new Dictionary<string, object?>())
        {
            size += 1 + Encoding.UTF8.GetByteCount(key) + ValueSize(value);
        }

        return size;
    }

    private static long ValueSize(object? value) => value switch
    {
        null => 1,
        string s => 5 + Encoding.UTF8.GetByteCount(s),
        byte[] bytes => 5 + bytes.Length,
        ReadOnlyMemory<byte> memory => 5 + memory.Length,
        BinaryTableValue binary => 5 + binary.Bytes.Length,
        bool or byte or sbyte => 2,
        short or ushort => 3,
        int or uint or float => 5,
        long or ulong or double or AmqpTimestamp => 9,
        decimal => 6,
        IDictionary<string, object?> table => 1 + Of(table),
        IDictionary table => 1 + Of(table.Keys.Cast<object>().ToDictionary(k => k.ToString() ?? "", k => table[k])),
        IList list => 5 + list.Cast<object?>().Sum(ValueSize),
        _ => 5 + Encoding.UTF8.GetByteCount(value.ToString() ?? ""),
    };
}
