using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using QueueLab.Consumer;
using QueueLab.Publisher;

namespace QueueLab.Rabbit.Tests;

public sealed class ServicePiecesTests
{
    [Fact]
    public void Default_consumer_options_are_valid() =>
        new ConsumerOptionsValidator().Validate(null, new ConsumerOptions()).Succeeded.ShouldBeTrue();

    [Fact]
    public void Consumer_options_that_contradict_each_other_are_refused_saying_what_to_raise()
    {
        var options = new ConsumerOptions
        {
            RetryBaseDelay = TimeSpan.FromSeconds(5),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            ProcessingTime = TimeSpan.FromSeconds(20),
            ProcessingKeyTtl = TimeSpan.FromSeconds(30),
            Prefetch = 4,
            Concurrency = 8,
        };
        var result = new ConsumerOptionsValidator().Validate(null, options);
        result.Failed.ShouldBeTrue();
        result.Failures!.Count().ShouldBe(3);
        result.FailureMessage.ShouldContain("raise RetryMaxDelay");
        result.FailureMessage.ShouldContain("raise ProcessingKeyTtl");
        result.FailureMessage.ShouldContain("Raise Prefetch");
    }

    [Fact]
    public void Publisher_retry_delay_must_be_shorter_than_the_confirm_timeout() =>
        new PublisherOptionsValidator().Validate(null, new PublisherOptions { RetryDelay = TimeSpan.FromSeconds(20) })
            .FailureMessage.ShouldNotBeNull().ShouldContain("lower RetryDelay");

    [Fact]
    public void The_recent_completions_cache_forgets_the_oldest_beyond_its_capacity()
    {
        var cache = new RecentCompletions(Options.Create(new ConsumerOptions { CompletionCacheSize = 2 }));
        cache.Add("a");
        cache.Add("b");
        cache.Add("a");
        cache.Add("c");
        cache.Contains("a").ShouldBeFalse();
        cache.Contains("b").ShouldBeTrue();
        cache.Contains("c").ShouldBeTrue();
    }

    [Fact]
    public void The_routing_mix_follows_the_weights()
    {
        var picks = Enumerable.Range(0, 600).Select(i => RoutingMix.Pick(i, 3, 2, 1)).ToList();
        picks.Count(p => p.Exchange == LabTopology.DirectExchange).ShouldBe(300);
        picks.Count(p => p.Exchange == LabTopology.TopicExchange).ShouldBe(200);
        picks.Count(p => p.Exchange == LabTopology.FanoutExchange).ShouldBe(100);
        picks.ShouldAllBe(p => Routing.QueuesFor(p.Exchange, p.RoutingKey, LabTopology.DefaultQueues).Count == 1,
            "every generated message reaches one default queue");
        Should.Throw<ArgumentException>(() => RoutingMix.Pick(0, 0, 0, 0));
    }

    [Fact]
    public void Without_configuration_the_static_source_serves_the_seed_queues() =>
        StaticQueueAssignmentSource.Read(new ConfigurationBuilder().Build()).ShouldBe(LabTopology.DefaultQueues);

    [Fact]
    public void Configured_queues_replace_the_defaults_and_invalid_ones_are_refused_with_reasons()
    {
        var good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QueueLab:Rabbit:Queues:0:Name"] = "audit",
            ["QueueLab:Rabbit:Queues:0:ExchangeName"] = LabTopology.FanoutExchange,
            ["QueueLab:Rabbit:Queues:0:ExchangeType"] = ExchangeTypes.Fanout,
        }).Build();
        StaticQueueAssignmentSource.Read(good).ShouldHaveSingleItem().Name.ShouldBe("audit");

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QueueLab:Rabbit:Queues:0:Name"] = "q",
            ["QueueLab:Rabbit:Queues:0:Priority"] = "0",
            ["QueueLab:Rabbit:Queues:0:ExchangeName"] = "x",
            ["QueueLab:Rabbit:Queues:0:ExchangeType"] = "headers",
        }).Build();
        var error = Should.Throw<InvalidOperationException>(() => StaticQueueAssignmentSource.Read(bad));
        error.Message.ShouldContain("priority of 1 or more");
        error.Message.ShouldContain("'headers' is unknown");
    }
}
