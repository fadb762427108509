namespace QueueLab.Rabbit.Tests;

public sealed class RoutingTests
{
    [Theory]
    [InlineData("orders.*.created", "orders.eu.created", true)]
    [InlineData("orders.*.created", "orders.eu.west.created", false)]
    [InlineData("orders.#", "orders", true)]
    [InlineData("orders.#", "orders.eu.created", true)]
    [InlineData("#.created", "orders.eu.created", true)]
    [InlineData("#", "anything.at.all", true)]
    [InlineData("orders.*", "orders", false)]
    [InlineData("a.#.z", "a.z", true)]
    [InlineData("a.#.z", "a.b.c.z", true)]
    [InlineData("a.#.z", "a.b.c", false)]
    [InlineData("orders", "Orders", false)]
    public void Topic_patterns_match_like_the_broker(string pattern, string key, bool expected) =>
        TopicPattern.Matches(pattern, key).ShouldBe(expected);

    [Fact]
    public void The_default_topology_routes_each_exchange_to_its_queue()
    {
        var queues = LabTopology.DefaultQueues;
        Routing.QueuesFor(LabTopology.DirectExchange, "orders", queues).ShouldBe(["queue-1"]);
        Routing.QueuesFor(LabTopology.DirectExchange, "other", queues).ShouldBeEmpty();
        Routing.QueuesFor(LabTopology.TopicExchange, "orders.us.created", queues).ShouldBe(["queue-2"]);
        Routing.QueuesFor(LabTopology.TopicExchange, "orders.us.deleted", queues).ShouldBeEmpty();
        Routing.QueuesFor(LabTopology.FanoutExchange, "ignored", queues).ShouldBe(["queue-3"]);
    }

    [Fact]
    public void A_fanout_exchange_reaches_every_bound_queue()
    {
        QueueDefinition[] queues =
        [
            new("a", 1, new QueueBinding("fan", "", ExchangeTypes.Fanout)),
            new("b", 1, new QueueBinding("fan", "", ExchangeTypes.Fanout)),
            new("c", 1, new QueueBinding("direct", "k", ExchangeTypes.Direct)),
        ];
        Routing.QueuesFor("fan", "whatever", queues).ShouldBe(["a", "b"]);
    }
}
