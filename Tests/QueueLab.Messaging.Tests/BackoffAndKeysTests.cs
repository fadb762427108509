namespace QueueLab.Messaging.Tests;

public sealed class BackoffAndKeysTests
{
    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(6, 5000)]
    [InlineData(40, 5000)]
    public void Backoff_doubles_per_attempt_up_to_the_cap(int attempt, int expectedMs) =>
        Backoff.For(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5)).ShouldBe(TimeSpan.FromMilliseconds(expectedMs));

    [Fact]
    public void Backoff_refuses_attempt_zero() =>
        Should.Throw<ArgumentOutOfRangeException>(() => Backoff.For(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));

    [Fact]
    public void Processing_keys_are_prefixed_by_queue_and_name_message_and_state() =>
        ProcessingKeys.For("queue-1", "m-7", "NEW").ShouldBe("queuelab:processing:queue-1:m-7:NEW");

    [Fact]
    public void Derived_queue_names_are_distinct()
    {
        string[] names = [LabTopology.DeadLetterQueue("q"), LabTopology.RetryQueue("q", 1), LabTopology.RetryQueue("q", 2), LabTopology.HeldQueue("q")];
        names.Distinct().Count().ShouldBe(names.Length);
    }
}
