using Microsoft.Extensions.Options;

namespace QueueLab.Consumer;

/// <summary>Rules across <see cref="ConsumerOptions"/> fields.</summary>
public sealed class ConsumerOptionsValidator : IValidateOptions<ConsumerOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsumerOptions options)
    {
        var errors = new List<string>();
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            errors.Add($"{ConsumerOptions.Section}:RetryMaxDelay ({options.RetryMaxDelay}) is below RetryBaseDelay ({options.RetryBaseDelay}); raise RetryMaxDelay.");
        }

        if (options.TransientRetryMaxDelay < options.TransientRetryBaseDelay)
        {
            errors.Add($"{ConsumerOptions.Section}:TransientRetryMaxDelay ({options.TransientRetryMaxDelay}) is below TransientRetryBaseDelay ({options.TransientRetryBaseDelay}); raise TransientRetryMaxDelay.");
        }

        if (options.ProcessingKeyTtl <= options.ProcessingTime * 2)
        {
            errors.Add($"{ConsumerOptions.Section}:ProcessingKeyTtl ({options.ProcessingKeyTtl}) must exceed twice ProcessingTime ({options.ProcessingTime}), or keys expire while their holder still works; raise ProcessingKeyTtl.");
        }

        if (options.ProcessingKeyMaxHold < options.ProcessingKeyTtl)
        {
            errors.Add($"{ConsumerOptions.Section}:ProcessingKeyMaxHold ({options.ProcessingKeyMaxHold}) is below ProcessingKeyTtl ({options.ProcessingKeyTtl}); raise ProcessingKeyMaxHold.");
        }

        if (options.Prefetch < options.Concurrency)
        {
            errors.Add($"{ConsumerOptions.Section}:Prefetch ({options.Prefetch}) is below Concurrency ({options.Concurrency}); handlers would idle. Raise Prefetch to at least Concurrency.");
        }

        if (string.IsNullOrWhiteSpace(options.ConsumerId))
        {
            errors.Add($"{ConsumerOptions.Section}:ConsumerId is empty; leave it unset for machine-pid or give a name.");
        }

        if (!Enum.IsDefined(options.QueueType))
        {
            errors.Add($"{ConsumerOptions.Section}:QueueType must be Quorum or Classic.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
