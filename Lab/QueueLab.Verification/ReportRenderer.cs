using System.Text;

namespace QueueLab.Verification;

/// <summary>Renders a <see cref="VerificationReport{T}"/> as a few readable lines with truncated id lists.</summary>
internal static class ReportRenderer
{
    public static string Render<T>(VerificationReport<T> report, int maxItems)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxItems);
        var s = report.Summary;
        var text = new StringBuilder();
        text.Append("Invariant check (")
            .Append(report.Options.Mode switch { VerificationMode.Ordered => "ordered", VerificationMode.OrderedPerKey => "ordered per key", _ => "unordered" })
            .Append(report.Options.AllowDuplicates ? ", at least once" : ", exactly once")
            .Append("): ")
            .AppendLine(Status(report));
        text.Append("  expected ").Append(s.Expected);
        if (s.ExpectedSkipped > 0)
        {
            text.Append(" (").Append(s.ExpectedSkipped).Append(" to be skipped)");
        }

        text.Append(", observed ").Append(s.Observed).Append(", delivered ").Append(s.Delivered).AppendLine();
        Line(text, "lost", s.Lost, null, report.Lost, maxItems);
        Line(text, "duplicated", s.Duplicated, Plural(s.ExtraDeliveries, "extra delivery", "extra deliveries"), report.Duplicated, maxItems);
        if (report.Options.Mode != VerificationMode.Unordered)
        {
            Line(text, "reordered", s.Reordered, Plural(s.OrderBreaks, "order break", "order breaks"), report.Reordered, maxItems);
        }
        else
        {
            text.AppendLine("  reordered: not checked (unordered)");
        }

        Line(text, "unexpected", s.Unexpected, null, report.Unexpected, maxItems);
        Line(text, "skipped but delivered", s.SkippedButDelivered, null, report.SkippedButDelivered, maxItems);
        return text.ToString().TrimEnd();
    }

    /// <summary>Formats ids as "a, b, c ... and N more".</summary>
    public static string List<TItem>(IReadOnlyCollection<TItem> items, int maxItems)
    {
        var shown = string.Join(", ", items.Take(maxItems));
        var more = items.Count - Math.Min(maxItems, items.Count);
        return more > 0 ? $"{shown} ... and {more} more" : shown;
    }

    private static string Plural(int count, string one, string many) => $"{count} {(count == 1 ? one : many)}";

    private static string Status<T>(VerificationReport<T> report) =>
        report.IsExact ? "PASSED"
        : report.Passed ? $"PASSED ({Plural(report.Summary.ExtraDeliveries, "duplicate delivery", "duplicate deliveries")} tolerated)"
        : "FAILED";

    private static void Line<TItem>(
        StringBuilder text, string label, int count, string? detail, IReadOnlyCollection<TItem> items, int maxItems)
    {
        text.Append("  ").Append(label).Append(' ').Append(count);
        if (count > 0 && detail is not null)
        {
            text.Append(" (").Append(detail).Append(')');
        }

        if (count > 0)
        {
            text.Append(": ").Append(List(items, maxItems));
        }

        text.AppendLine();
    }
}
