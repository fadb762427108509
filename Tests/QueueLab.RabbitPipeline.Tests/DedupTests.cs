using QueueLab.Rabbit;
using QueueLab.Testing;

namespace QueueLab.RabbitPipeline.Tests;

[Collection(Phase2Collection.Name)]
public sealed class DedupTests(Phase2Fixture lab)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Phase2_a_message_published_twice_is_stored_once_and_counted_once_as_a_duplicate()
    {
        var id = $"dup2-{Guid.NewGuid():N}";
        await lab.PublishOneAsync(id);
        await Poll.UntilAsync(async () => await lab.FinalStateCountAsync(id) == 1, Timeout, "the first copy is stored", cancellationToken: TestContext.Current.CancellationToken);

        await lab.PublishOneAsync(id);
        await Poll.UntilAsync(async () => await lab.LogCountAsync(id, ProcessingOutcomes.Duplicate) >= 1, Timeout,
            "the second copy is recognised as a duplicate", cancellationToken: TestContext.Current.CancellationToken);

        (await lab.FinalStateCountAsync(id)).ShouldBe(1);
        (await lab.LogCountAsync(id, "processed%")).ShouldBe(1, "processed once");
        (await lab.LogCountAsync(id, ProcessingOutcomes.Duplicate)).ShouldBe(1, "counted once as a duplicate");
    }

    [Fact]
    public async Task A_delivery_whose_processing_key_is_held_is_not_completed_until_the_key_is_released()
    {
        var id = $"held-{Guid.NewGuid():N}";
        var key = ProcessingKeys.For("queue-1", id, StateTransitions.Validate.Current);
        (await lab.Redis.StringSetAsync(key, "test-holder", TimeSpan.FromMinutes(2), StackExchange.Redis.When.NotExists)).ShouldBeTrue();

        await lab.PublishOneAsync(id);
        await Poll.UntilAsync(async () => await lab.LogCountAsync(id, ProcessingOutcomes.Held) >= 3, Timeout,
            "the delivery keeps coming back from the held queue while the key is held", cancellationToken: TestContext.Current.CancellationToken);
        (await lab.FinalStateCountAsync(id)).ShouldBe(0, "nothing is completed while another consumer holds the key");
        (await lab.LogCountAsync(id, "processed%")).ShouldBe(0);

        (await lab.Redis.KeyDeleteAsync(key)).ShouldBeTrue();
        await Poll.UntilAsync(async () => await lab.FinalStateCountAsync(id) == 1, Timeout, "it is processed once the key is released", cancellationToken: TestContext.Current.CancellationToken);
        (await lab.LogCountAsync(id, "processed%")).ShouldBe(1);
        // The consumer deletes its key just after the final state is committed, so it may still be there for a moment.
        // A key its holder failed to delete would be renewed (for up to 30 s), not gone: within one TTL (5 s) it is
        // gone only if the consumer deleted it.
        await Poll.UntilAsync(async () => !await lab.Redis.KeyExistsAsync(key), TimeSpan.FromSeconds(5),
            "the consumer deletes its key after storing the final state", cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_delivery_whose_holder_died_is_processed_once_the_key_expires()
    {
        var id = $"expire-{Guid.NewGuid():N}";
        var key = ProcessingKeys.For("queue-1", id, StateTransitions.Validate.Current);
        (await lab.Redis.StringSetAsync(key, "crashed-holder", TimeSpan.FromSeconds(3), StackExchange.Redis.When.NotExists)).ShouldBeTrue();

        await lab.PublishOneAsync(id);
        await Poll.UntilAsync(async () => await lab.FinalStateCountAsync(id) == 1, Timeout, "it is processed after the key expires", cancellationToken: TestContext.Current.CancellationToken);
        (await lab.LogCountAsync(id, ProcessingOutcomes.Held)).ShouldBeGreaterThan(0, "it was held back first");
        (await lab.LogCountAsync(id, "processed%")).ShouldBe(1);
    }
}

[Collection(Phase1Collection.Name)]
public sealed class Phase1DedupTests(Phase1Fixture lab)
{
    [Fact]
    public async Task Phase1_a_message_published_twice_is_processed_twice()
    {
        var id = $"dup1-{Guid.NewGuid():N}";
        await lab.PublishOneAsync(id);
        await Poll.UntilAsync(async () => await lab.LogCountAsync(id, "processed%") == 1, TimeSpan.FromSeconds(30), "the first copy is processed", cancellationToken: TestContext.Current.CancellationToken);
        await lab.PublishOneAsync(id);
        await Poll.UntilAsync(async () => await lab.LogCountAsync(id, "processed%") == 2, TimeSpan.FromSeconds(30),
            "phase 1 has no dedup: the second copy is processed too", cancellationToken: TestContext.Current.CancellationToken);

        (await lab.LogCountAsync(id, ProcessingOutcomes.Duplicate)).ShouldBe(0, "phase 1 never skips");
        (await lab.FinalStateCountAsync(id)).ShouldBe(1, "the primary key still keeps one final-state row");
    }
}
