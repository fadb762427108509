using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace QueueLab.Lab.Setup;

/// <summary>Reads one start-up setting; a bad value fails with a message that names the key and says what to use.</summary>
internal static class SetupValues
{
    public static int Int(IConfiguration configuration, string key, int fallback, int min, int max) =>
        configuration[key] is not { } text
            ? fallback
            : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw new InvalidOperationException($"{key} is '{text}'; use a whole number from {min} to {max}.");

    public static TimeSpan Duration(IConfiguration configuration, string key, TimeSpan fallback) =>
        configuration[key] is not { } text
            ? fallback
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
                ? value
                : throw new InvalidOperationException($"{key} is '{text}'; use a duration such as 00:00:00.5.");

    public static TEnum Enum<TEnum>(IConfiguration configuration, string key, TEnum fallback)
        where TEnum : struct, System.Enum =>
        configuration[key] is not { } text
            ? fallback
            : System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
                ? value
                : throw new InvalidOperationException($"{key} is '{text}'; use one of {string.Join(", ", System.Enum.GetNames<TEnum>()).ToLowerInvariant()}.");
}
