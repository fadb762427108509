using Microsoft.Extensions.Options;

namespace QueueLab.Coordination;

/// <summary>Rules across <see cref="CoordinationOptions"/> fields, with what to change.</summary>
public sealed class CoordinationOptionsValidator : IValidateOptions<CoordinationOptions>
{
    public ValidateOptionsResult Validate(string? name, CoordinationOptions options)
    {
        var errors = new List<string>();
        const string s = CoordinationOptions.Section;
        if (options.LeaseTtl < CoordinationOptions.MinimumLeaseTtl)
        {
            errors.Add($"{s}:LeaseTtl ({options.LeaseTtl}) is below the etcd minimum of 2 s; raise it.");
        }

        if (options.LeaseTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"{s}:LeaseTtl ({options.LeaseTtl}) must be whole seconds (etcd leases are granted in seconds).");
        }

        var keepAlive = options.EffectiveKeepAliveInterval;
        if (keepAlive <= TimeSpan.Zero || keepAlive >= options.LeaseTtl / 2)
        {
            errors.Add($"{s}:KeepAliveInterval ({keepAlive}) must be above zero and below half of LeaseTtl ({options.LeaseTtl}), so one lost keep-alive cannot expire the lease; lower it or leave it unset (LeaseTtl / 3).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
