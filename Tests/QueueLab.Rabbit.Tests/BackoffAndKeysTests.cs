namespace QueueLab.Rabbit.Tests;

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
    public void A_long_id_appears_in_its_key_as_a_hash_so_keys_stay_short()
    {
        var atLimit = new string('a', ProcessingKeys.MaxPlainIdBytes);
        ProcessingKeys.For("queue-1", atLimit, "NEW").ShouldBe($"queuelab:processing:queue-1:{atLimit}:NEW");

        var key = ProcessingKeys.For("queue-1", new string('a', MessageLimits.MaxMessageIdBytes), "NEW");
        key.Length.ShouldBe("queuelab:processing:queue-1:#:NEW".Length + 64);
        key.ShouldStartWith("queuelab:processing:queue-1:#");
        ProcessingKeys.For("queue-1", atLimit + "b", "NEW").ShouldNotBe(ProcessingKeys.For("queue-1", atLimit + "c", "NEW"));
        ProcessingKeys.For("queue-1", new string('é', 65), "NEW").ShouldContain(":#", customMessage: "the limit counts UTF-8 bytes: 65 x 2 > 128");
    }

    [Fact]
    public void An_id_that_looks_like_a_hash_is_hashed_too_so_it_cannot_take_a_long_ids_key()
    {
        var longId = new string('z', 500);
        var hashed = ProcessingKeys.For("q", longId, "NEW").Split(':')[3];
        ProcessingKeys.For("q", hashed, "NEW").ShouldNotBe(ProcessingKeys.For("q", longId, "NEW"));
    }

    [Fact]
    public void Derived_queue_names_are_distinct()
    {
        string[] names = [LabTopology.DeadLetterQueue("q"), LabTopology.RetryQueue("q", 1), LabTopology.RetryQueue("q", 2), LabTopology.HeldQueue("q")];
        names.Distinct().Count().ShouldBe(names.Length);
    }
}
