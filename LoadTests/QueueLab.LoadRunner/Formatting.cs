using System.Globalization;

namespace QueueLab.LoadRunner;

/// <summary>Invariant-culture formatting shared by descriptions, progress lines and reports.</summary>
internal static class Formatting
{
    public static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 || value == Math.Floor(value) ? "0.##" : "0.###", CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals = 2) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        if (value.TotalSeconds >= 1)
        {
            return Number(Math.Round(value.TotalSeconds, 3)) + "s";
        }

        if (value.TotalMilliseconds >= 1)
        {
            return Number(Math.Round(value.TotalMilliseconds, 3)) + "ms";
        }

        return Number(Math.Round(value.TotalMicroseconds, 1)) + "µs";
    }

    /// <summary>A latency in milliseconds with 2 decimals, for tables.</summary>
    public static string Ms(TimeSpan value) => Fixed(value.TotalMilliseconds) + " ms";
}
