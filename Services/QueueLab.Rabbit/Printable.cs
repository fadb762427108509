using System.Collections;
using System.Globalization;
using System.Text;

namespace QueueLab.Rabbit;

/// <summary>
/// Text that is safe in a log line, a PostgreSQL <c>text</c> column and an AMQP header whatever it was made from:
/// control characters (NUL included) and lone surrogates written as <c>\uXXXX</c>, and cut to a length.
/// </summary>
public static class Printable
{
    private const string Cut = "...";

    /// <summary><paramref name="text"/> escaped and cut to at most <paramref name="maxChars"/> characters.</summary>
    public static string Escape(string text, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, Cut.Length + 1);
        if (text.Length <= maxChars && !NeedsEscape(text))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxChars) + 8);
        var fits = 0; // the length at the last character boundary that leaves room for the cut mark
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }

            if (builder.Length <= maxChars - Cut.Length)
            {
                fits = builder.Length;
            }
            else if (builder.Length > maxChars)
            {
                builder.Length = fits;
                return builder.Append(Cut).ToString();
            }
        }

        return builder.ToString();
    }

    /// <summary>A header value of any AMQP type, described for a person: a string escaped and cut, other types named.</summary>
    public static string Describe(object? value, int maxChars) => value switch
    {
        null => "void",
        string s => $"\"{Escape(s, maxChars)}\"",
        byte[] bytes => Describe(bytes, maxChars),
        ReadOnlyMemory<byte> memory => Describe(memory.ToArray(), maxChars),
        IDictionary => "a table",
        IList => "an array",
        RabbitMQ.Client.BinaryTableValue => "a byte array",
        _ => $"{value.GetType().Name} {Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", maxChars)}",
    };

    private static string Describe(byte[] bytes, int maxChars) => HeaderValues.TryReadText(bytes, out var text)
        ? $"\"{Escape(text, maxChars)}\""
        : $"{bytes.Length} bytes of invalid UTF-8 ({Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 16))}{(bytes.Length > 16 ? "..." : "")})";

    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }
}
