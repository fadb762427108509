using System.Globalization;
using Aspire.Hosting;

namespace QueueLab.Lab.Commands;

/// <summary>A command argument the caller got wrong; the message says what to give instead.</summary>
public sealed class CommandArgumentException(string message) : Exception(message);

/// <summary>The dashboard's inputs for the lab's commands, and reading them back with clear messages (the command itself
/// checks them, so the dashboard and a caller of the command API get the same message). A caller that leaves an argument
/// out gets its default.</summary>
public static class CommandArguments
{
    public static InteractionInput Number(string name, string label, int defaultValue, string description) => new()
    {
        Name = name,
        Label = label,
        InputType = InputType.Number,
        Required = true,
        Value = defaultValue.ToString(CultureInfo.InvariantCulture),
        Description = description,
    };

    public static InteractionInput Text(string name, string label, string defaultValue, string description) => new()
    {
        Name = name,
        Label = label,
        InputType = InputType.Text,
        Required = true,
        Value = defaultValue,
        Description = description,
    };

    public static InteractionInput Choice(string name, string label, IReadOnlyList<string> choices, string defaultValue, string description, bool custom = false) => new()
    {
        Name = name,
        Label = label,
        InputType = InputType.Choice,
        Required = true,
        Options = [.. choices.Select(c => KeyValuePair.Create(c, c))],
        Value = defaultValue,
        Description = description,
        AllowCustomChoice = custom,
    };

    public static InteractionInput Boolean(string name, string label, bool defaultValue, string description) => new()
    {
        Name = name,
        Label = label,
        InputType = InputType.Boolean,
        Required = false,
        Value = defaultValue ? "true" : "false",
        Description = description,
    };

    /// <summary>The submitted text of <paramref name="name"/>, or null when the caller gave none.</summary>
    public static string? Raw(InteractionInputCollection? arguments, string name) =>
        arguments is not null && arguments.TryGetByName(name, out var input) && !string.IsNullOrWhiteSpace(input?.Value)
            ? input.Value.Trim()
            : null;

    public static int Int(InteractionInputCollection? arguments, string name, int defaultValue, int min, int max)
    {
        var text = Raw(arguments, name);
        if (text is null)
        {
            return defaultValue;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
               && value == Math.Floor(value) && value >= min && value <= max
            ? (int)value
            : throw new CommandArgumentException($"{name} is '{text}'; use a whole number from {min} to {max}.");
    }

    public static bool Bool(InteractionInputCollection? arguments, string name, bool defaultValue)
    {
        var text = Raw(arguments, name);
        return text is null ? defaultValue
            : bool.TryParse(text, out var value) ? value
            : throw new CommandArgumentException($"{name} is '{text}'; use true or false.");
    }

    public static string OneOf(InteractionInputCollection? arguments, string name, string defaultValue, IReadOnlyList<string> allowed)
    {
        var text = Raw(arguments, name) ?? defaultValue;
        return allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase))
            ?? throw new CommandArgumentException($"{name} is '{text}'; use one of {string.Join(", ", allowed)}.");
    }

    /// <summary>60s, 5m, 1h, a plain number of seconds or hh:mm:ss, between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static TimeSpan Duration(InteractionInputCollection? arguments, string name, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    {
        var text = Raw(arguments, name);
        if (text is null)
        {
            return defaultValue;
        }

        TimeSpan? parsed = null;
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                parsed = TimeSpan.FromSeconds(value * seconds);
                break;
            }
        }

        if (parsed is null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            parsed = TimeSpan.FromSeconds(plain);
        }

        if (parsed is null && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            parsed = span;
        }

        return parsed is { } d && d >= min && d <= max
            ? d
            : throw new CommandArgumentException(
                $"{name} is '{text}'; use a duration from {Format(min)} to {Format(max)}, such as 60s, 5m or 00:10:00.");
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalSeconds < 60 ? $"{duration.TotalSeconds:0.#}s"
        : duration.TotalMinutes < 60 ? $"{duration.TotalMinutes:0.#}m"
        : $"{duration.TotalHours:0.#}h";
}
