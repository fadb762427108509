using Microsoft.Extensions.Options;

namespace QueueLab.Publisher;

/// <summary>Rules across <see cref="PublisherOptions"/> fields.</summary>
public sealed class PublisherOptionsValidator : IValidateOptions<PublisherOptions>
{
    public ValidateOptionsResult Validate(string? name, PublisherOptions options)
    {
        if (options.RetryDelay >= options.ConfirmTimeout)
        {
            return ValidateOptionsResult.Fail(
                $"{PublisherOptions.Section}:RetryDelay ({options.RetryDelay}) must be shorter than ConfirmTimeout ({options.ConfirmTimeout}); lower RetryDelay.");
        }

        return ValidateOptionsResult.Success;
    }
}
