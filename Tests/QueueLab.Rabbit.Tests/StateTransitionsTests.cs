namespace QueueLab.Rabbit.Tests;

public sealed class StateTransitionsTests
{
    [Theory]
    [InlineData("NEW", "VALIDATING", "VALIDATED")]
    [InlineData("VALIDATED", "ENRICHING", "ENRICHED")]
    [InlineData("ENRICHED", "COMPLETING", "COMPLETED")]
    public void Known_transitions_are_accepted(string current, string processing, string next) =>
        StateTransitions.IsKnown(current, processing, next).ShouldBeTrue();

    [Theory]
    [InlineData("NEW", "VALIDATING", "COMPLETED")]
    [InlineData("NEW", "ENRICHING", "VALIDATED")]
    [InlineData("COMPLETED", "X", "Y")]
    [InlineData("new", "validating", "validated")]
    public void Anything_else_is_unknown(string current, string processing, string next) =>
        StateTransitions.IsKnown(current, processing, next).ShouldBeFalse();

    [Fact]
    public void From_finds_the_transition_that_starts_at_a_state()
    {
        StateTransitions.From("VALIDATED").ShouldBe(StateTransitions.Enrich);
        StateTransitions.From("COMPLETED").ShouldBeNull();
    }
}
