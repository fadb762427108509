namespace QueueLab.Rabbit;

/// <summary>One step of a message's life: from <see cref="Current"/>, while <see cref="Processing"/>, to <see cref="Next"/>.</summary>
public sealed record StateTransition(string Current, string Processing, string Next);
