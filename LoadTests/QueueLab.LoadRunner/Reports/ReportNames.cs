using System.Text;

namespace QueueLab.LoadRunner;

/// <summary>File-system-safe names for report folders.</summary>
internal static class ReportNames
{
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? char.ToLowerInvariant(c) : '-');
        }

        var text = builder.ToString().Trim('-', '.');
        return text.Length == 0 ? "scenario" : text;
    }
}
