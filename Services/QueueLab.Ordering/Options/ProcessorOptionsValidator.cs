using Microsoft.Extensions.Options;

namespace QueueLab.Ordering.Options;

/// <summary>The rules between fields of <see cref="ProcessorOptions"/>, each failure saying what to change.</summary>
public sealed class ProcessorOptionsValidator : IValidateOptions<ProcessorOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessorOptions options)
    {
        var failures = new List<string>();
        if (options.HeartbeatInterval * 2 > options.HeartbeatTtl)
        {
            failures.Add($"{ProcessorOptions.Section}:HeartbeatInterval ({options.HeartbeatInterval.TotalMilliseconds} ms) must be at most half of "
                + $"HeartbeatTtl ({options.HeartbeatTtl.TotalMilliseconds} ms), or one late renewal marks a live processor dead; "
                + "lower HeartbeatInterval or raise HeartbeatTtl.");
        }

        if (options.ReapInterval >= options.HeartbeatTtl)
        {
            failures.Add($"{ProcessorOptions.Section}:ReapInterval ({options.ReapInterval.TotalMilliseconds} ms) must be shorter than "
                + $"HeartbeatTtl ({options.HeartbeatTtl.TotalMilliseconds} ms), or a dead processor's messages wait longer than needed.");
        }

        if (options.MaxPayloadBytes > options.MaxMessageBytes)
        {
            failures.Add($"{ProcessorOptions.Section}:MaxPayloadBytes ({options.MaxPayloadBytes}) must be at most MaxMessageBytes "
                + $"({options.MaxMessageBytes}): a payload travels inside the message; raise MaxMessageBytes or lower MaxPayloadBytes.");
        }

        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.EndsWith(':'))
        {
            failures.Add($"{ProcessorOptions.Section}:KeyPrefix must be non-empty and not end with ':' (for example '{OrderingKeys.DefaultPrefix}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
