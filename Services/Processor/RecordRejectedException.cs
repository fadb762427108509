namespace QueueLab.Processor;

/// <summary>The system of record refused one message's record with an error that retrying cannot heal.</summary>
public sealed class RecordRejectedException(long seq, string reason, Exception inner)
    : Exception($"the system of record refused seq {seq}: {reason}", inner);
