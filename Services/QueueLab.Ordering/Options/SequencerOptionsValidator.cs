using Microsoft.Extensions.Options;

namespace QueueLab.Ordering.Options;

/// <summary>The rules between fields of <see cref="SequencerOptions"/>, each failure saying what to change.</summary>
public sealed class SequencerOptionsValidator : IValidateOptions<SequencerOptions>
{
    public ValidateOptionsResult Validate(string? name, SequencerOptions options)
    {
        var failures = new List<string>();
        var s = SequencerOptions.Section;
        if (options.RenewInterval * 2 >= options.LockTtl)
        {
            failures.Add($"{s}:LockTtl ({options.LockTtl.TotalMilliseconds} ms) must be more than twice {s}:RenewInterval "
                + $"({options.RenewInterval.TotalMilliseconds} ms), so one late renewal does not lose the lock; "
                + "raise LockTtl or lower RenewInterval.");
        }

        if (options.ClockMargin >= options.LockTtl - options.RenewInterval)
        {
            failures.Add($"{s}:ClockMargin ({options.ClockMargin.TotalMilliseconds} ms) must be less than LockTtl - RenewInterval "
                + $"({(options.LockTtl - options.RenewInterval).TotalMilliseconds} ms), or the leader would stop between renewals.");
        }

        if (options.AcquireInterval >= options.LockTtl)
        {
            failures.Add($"{s}:AcquireInterval ({options.AcquireInterval.TotalMilliseconds} ms) must be shorter than LockTtl "
                + $"({options.LockTtl.TotalMilliseconds} ms), or a standby takes over long after the lock expired.");
        }

        if (options.IdleWait > options.GapWarningAfter)
        {
            failures.Add($"{s}:IdleWait ({options.IdleWait.TotalMilliseconds} ms) must be at most GapWarningAfter "
                + $"({options.GapWarningAfter.TotalMilliseconds} ms), or an idle leader notices a gap late; lower IdleWait.");
        }

        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.EndsWith(':'))
        {
            failures.Add($"{s}:KeyPrefix must be non-empty and not end with ':' (for example '{OrderingKeys.DefaultPrefix}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
