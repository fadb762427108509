namespace QueueLab.Consumer;

/// <summary>The message's processing failed (the work itself, not the infrastructure): retried with backoff, then dead-lettered.</summary>
public sealed class ProcessingFailedException(string message) : Exception(message);
