using System.Text;
using Microsoft.Extensions.Logging;

namespace QueueLab.Lab.Commands;

/// <summary>
/// A run's output, line by line, into a resource's console log on the dashboard, with the lab's secrets masked; it also
/// keeps the last lines, from which the run's summary is taken.
/// </summary>
internal sealed class ResourceLogWriter(ILogger logger, IReadOnlyList<string> secrets) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly List<string> _lines = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_line)
        {
            if (value == '\n')
            {
                Flush(_line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    /// <summary>The suite's summary (from its "== suite: PASSED ==" line on), or its last lines when it printed none.</summary>
    public string Summary()
    {
        lock (_line)
        {
            var start = _lines.FindLastIndex(l => l.StartsWith("== ", StringComparison.Ordinal));
            return string.Join('\n', start >= 0 ? _lines.Skip(start) : _lines.TakeLast(15));
        }
    }

    public static string Redact(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets.Where(s => s.Length >= 4))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private void Flush(string line)
    {
        var safe = Redact(line, secrets);
        _lines.Add(safe);
        if (_lines.Count > 400)
        {
            _lines.RemoveRange(0, 100);
        }

        logger.LogInformation("{Line}", safe);
    }
}
