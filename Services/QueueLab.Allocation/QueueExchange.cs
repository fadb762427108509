namespace QueueLab.Allocation;

/// <summary>One rebalancing step: <see cref="Give"/> moves from one consumer to another, and <see cref="Back"/>, if set, the other way.</summary>
/// <param name="From">The consumer giving <see cref="Give"/>.</param>
/// <param name="To">The consumer receiving it.</param>
/// <param name="Give">The queue moved from <see cref="From"/> to <see cref="To"/>.</param>
/// <param name="Back">For a swap, the smaller queue moved back; null for a single move.</param>
/// <param name="Delta">The load <see cref="To"/> gains and <see cref="From"/> loses.</param>
internal readonly record struct QueueExchange(string From, string To, QueuePriority Give, QueuePriority? Back, long Delta);
