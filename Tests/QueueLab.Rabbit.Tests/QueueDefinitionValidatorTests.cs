namespace QueueLab.Rabbit.Tests;

public sealed class QueueDefinitionValidatorTests
{
    [Fact]
    public void The_default_queues_are_valid() =>
        QueueDefinitionValidator.ValidateAll(LabTopology.DefaultQueues.ToList()).ShouldBeEmpty();

    [Fact]
    public void A_priority_below_one_is_refused_with_the_fix()
    {
        var errors = QueueDefinitionValidator.Validate(new QueueDefinition("q", 0, new QueueBinding("x", "k", ExchangeTypes.Direct)));
        errors.ShouldHaveSingleItem().ShouldContain("use a priority of 1 or more");
    }

    [Fact]
    public void An_unknown_exchange_type_is_refused_naming_the_known_ones()
    {
        var errors = QueueDefinitionValidator.Validate(new QueueDefinition("q", 1, new QueueBinding("x", "k", "headers")));
        errors.ShouldHaveSingleItem().ShouldContain("direct, topic, fanout");
    }

    [Theory]
    [InlineData(ExchangeTypes.Direct)]
    [InlineData(ExchangeTypes.Topic)]
    public void Direct_and_topic_bindings_need_a_routing_key(string type) =>
        QueueDefinitionValidator.Validate(new QueueDefinition("q", 1, new QueueBinding("x", " ", type)))
            .ShouldHaveSingleItem().ShouldContain("needs a routing key");

    [Fact]
    public void A_fanout_binding_needs_no_routing_key() =>
        QueueDefinitionValidator.Validate(new QueueDefinition("q", 1, new QueueBinding("x", "", ExchangeTypes.Fanout))).ShouldBeEmpty();

    [Fact]
    public void Missing_name_binding_and_exchange_are_each_reported()
    {
        QueueDefinitionValidator.Validate(new QueueDefinition("", 1, new QueueBinding("x", "k", ExchangeTypes.Direct)))
            .ShouldHaveSingleItem().ShouldContain("no name");
        QueueDefinitionValidator.Validate(new QueueDefinition("q", 1, null!)).ShouldHaveSingleItem().ShouldContain("no binding");
        QueueDefinitionValidator.Validate(new QueueDefinition("q", 1, new QueueBinding("", "k", ExchangeTypes.Direct)))
            .ShouldHaveSingleItem().ShouldContain("no exchange name");
        QueueDefinitionValidator.Validate(new QueueDefinition("amq.q", 1, new QueueBinding("x", "k", ExchangeTypes.Direct)))
            .ShouldHaveSingleItem().ShouldContain("amq.");
    }

    [Fact]
    public void Duplicate_names_and_an_exchange_with_two_types_are_refused()
    {
        QueueDefinition[] queues =
        [
            new("q", 1, new QueueBinding("x", "k", ExchangeTypes.Direct)),
            new("q", 1, new QueueBinding("x", "", ExchangeTypes.Fanout)),
        ];
        var errors = QueueDefinitionValidator.ValidateAll(queues);
        errors.Count.ShouldBe(2);
        errors.ShouldContain(e => e.Contains("configured 2 times"));
        errors.ShouldContain(e => e.Contains("an exchange has one type"));
    }

    [Fact]
    public void An_empty_list_is_refused() =>
        QueueDefinitionValidator.ValidateAll([]).ShouldHaveSingleItem().ShouldContain("at least one");
}
