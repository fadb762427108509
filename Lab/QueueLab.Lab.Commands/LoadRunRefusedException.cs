namespace QueueLab.Lab.Commands;

/// <summary>A load run or a fault the dashboard could not start, with the reason to show (one is already going on).</summary>
public sealed class LoadRunRefusedException(string message) : Exception(message);
