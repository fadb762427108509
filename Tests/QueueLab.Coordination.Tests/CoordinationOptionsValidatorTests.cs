namespace QueueLab.Coordination.Tests;

public sealed class CoordinationOptionsValidatorTests
{
    private static readonly CoordinationOptionsValidator Validator = new();

    [Fact]
    public void The_defaults_are_valid() => Validator.Validate(null, new CoordinationOptions()).Succeeded.ShouldBeTrue();

    [Theory]
    [InlineData(1, null, "below the etcd minimum")]
    [InlineData(2.5, null, "whole seconds")]
    [InlineData(3, 1.5, "below half of LeaseTtl")]
    public void Invalid_timings_are_refused_with_what_to_fix(double ttlSeconds, double? keepAliveSeconds, string expected)
    {
        var options = new CoordinationOptions
        {
            LeaseTtl = TimeSpan.FromSeconds(ttlSeconds),
            KeepAliveInterval = keepAliveSeconds is { } k ? TimeSpan.FromSeconds(k) : null,
            RequestTimeout = TimeSpan.FromSeconds(0.5),
        };

        var result = Validator.Validate(null, options);
        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(expected);
    }
}
