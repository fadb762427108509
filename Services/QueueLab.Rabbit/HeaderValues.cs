using System.Text;
using System.Text.Unicode;

namespace QueueLab.Rabbit;

/// <summary>
/// Reads AMQP header values. Strings arrive from the broker as byte arrays (an AMQP long string), integers as any of
/// the AMQP integer types. <see cref="GetString"/> and <see cref="GetInt"/> read leniently, for display and tests;
/// the parser reads the pipeline's own headers strictly with <see cref="TryReadText"/> and <see cref="TryReadCount"/>.
/// </summary>
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

    /// <summary>True when <paramref name="value"/> is an AMQP integer (any width, signed or not) that fits a long.</summary>
    public static bool TryReadLong(object? value, out long number)
    {
        long? read = value switch
        {
            sbyte n => n,
            byte n => n,
            short n => n,
            ushort n => n,
            int n => n,
            uint n => n,
            long n => n,
            ulong n when n <= long.MaxValue => (long)n,
            _ => null,
        };
        number = read ?? 0;
        return read.HasValue;
    }

    /// <summary>
    /// True when <paramref name="value"/> is a string: an AMQP long string of valid UTF-8 (or, in process, a .NET string
    /// without lone surrogates). Anything else (a number, a table, an array, invalid UTF-8) is not text.
    /// </summary>
    public static bool TryReadText(object? value, out string text)
    {
        switch (value)
        {
            case byte[] bytes when Utf8.IsValid(bytes):
                text = Encoding.UTF8.GetString(bytes);
                return true;
            case ReadOnlyMemory<byte> memory when Utf8.IsValid(memory.Span):
                text = Encoding.UTF8.GetString(memory.Span);
                return true;
            case string s when IsValidUtf16(s):
                text = s;
                return true;
            default:
                text = "";
                return false;
        }
    }

    /// <summary>True when <paramref name="value"/> is an AMQP integer (any width, signed or not) from 0 to <paramref name="max"/>.</summary>
    public static bool TryReadCount(object? value, int max, out int count)
    {
        if (TryReadLong(value, out var read) && read >= 0 && read <= max)
        {
            count = (int)read;
            return true;
        }

        count = 0;
        return false;
    }

    private static bool IsValidUtf16(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
