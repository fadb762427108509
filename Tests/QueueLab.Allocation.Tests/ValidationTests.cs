using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

public sealed class ValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_priority_below_one_is_refused(int priority)
    {
        var error = Should.Throw<ArgumentException>(
            () => ConsumerAllocator.Allocate([new("orders", 2), new("audit", priority)], ["c1"]));

        error.Message.ShouldContain("Queue 'audit' has priority");
        error.Message.ShouldContain("1 or more");
        error.ParamName.ShouldBe("queues");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_queue_name_is_refused(string name)
    {
        var error = Should.Throw<ArgumentException>(() => ConsumerAllocator.Allocate([new(name, 1)], ["c1"]));

        error.Message.ShouldContain("queue name is empty");
    }

    [Fact]
    public void A_duplicate_queue_name_is_refused()
    {
        var error = Should.Throw<ArgumentException>(
            () => ConsumerAllocator.Allocate([new("orders", 1), new("orders", 2)], ["c1"]));

        error.Message.ShouldContain("Queue 'orders' is listed more than once");
    }

    [Fact]
    public void Queue_names_are_compared_ordinally_so_case_variants_are_distinct()
    {
        var result = ConsumerAllocator.Allocate([new("orders", 1), new("Orders", 1)], ["c1", "c2"]);

        result.ConsumerCounts.Keys.ShouldBe(["Orders", "orders"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void An_empty_consumer_id_is_refused(string id)
    {
        var error = Should.Throw<ArgumentException>(() => ConsumerAllocator.Allocate([new("q", 1)], ["c1", id]));

        error.Message.ShouldContain("consumer id is empty");
        error.ParamName.ShouldBe("consumers");
    }

    [Fact]
    public void A_duplicate_consumer_id_is_refused()
    {
        var error = Should.Throw<ArgumentException>(() => ConsumerAllocator.Allocate([new("q", 1)], ["c1", "c2", "c1"]));

        error.Message.ShouldContain("Consumer 'c1' is listed more than once");
    }

    [Fact]
    public void A_null_queue_entry_is_refused()
    {
        Should.Throw<ArgumentException>(() => ConsumerAllocator.Allocate([null!], ["c1"]))
            .Message.ShouldContain("queue entry is null");
    }
}
