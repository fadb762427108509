namespace QueueLab.Lab.Rabbit;

/// <summary>Which pipeline A message ids a probe query covers, as a SQL <c>LIKE</c> pattern (backslash escapes).</summary>
public sealed record MessageIdPattern(string Pattern)
{
    public static MessageIdPattern All { get; } = new("%");

    /// <summary>Exactly this id (its <c>%</c>, <c>_</c> and backslashes escaped).</summary>
    public static MessageIdPattern Exactly(string messageId) => new(Escape(messageId));

    /// <summary>Every id that starts with <paramref name="prefix"/> (a run's ids are <c>{prefix}-{n}</c>: pass <c>prefix + "-"</c>).</summary>
    public static MessageIdPattern StartingWith(string prefix) => new(Escape(prefix) + "%");

    /// <summary>A <c>LIKE</c> pattern as it is.</summary>
    public static MessageIdPattern Like(string pattern) => new(pattern);

    private static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
    }
}
