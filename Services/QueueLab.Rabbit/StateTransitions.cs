namespace QueueLab.Rabbit;

/// <summary>
/// The transitions a consumer knows how to perform. A message whose headers name any other transition is bad input
/// and goes to the dead-letter queue.
/// </summary>
public static class StateTransitions
{
    public static readonly StateTransition Validate = new("NEW", "VALIDATING", "VALIDATED");
    public static readonly StateTransition Enrich = new("VALIDATED", "ENRICHING", "ENRICHED");
    public static readonly StateTransition Complete = new("ENRICHED", "COMPLETING", "COMPLETED");

    public static readonly IReadOnlyList<StateTransition> All = [Validate, Enrich, Complete];

    private static readonly Dictionary<string, StateTransition> ByCurrent =
        All.ToDictionary(t => t.Current, StringComparer.Ordinal);

    /// <summary>The transition that starts at <paramref name="current"/>, if there is one.</summary>
    public static StateTransition? From(string current) => ByCurrent.GetValueOrDefault(current);

    /// <summary>True when the three states name exactly one known transition.</summary>
    public static bool IsKnown(string current, string processing, string next) =>
        From(current) is { } t && t.Processing == processing && t.Next == next;
}
