namespace QueueLab.LoadRunner;

/// <summary>How a run shows its progress.</summary>
public enum ProgressMode
{
    /// <summary>Live display when the terminal is interactive, plain lines otherwise.</summary>
    Auto,

    /// <summary>A live Spectre.Console display.</summary>
    Live,

    /// <summary>A plain line about once a second, and a final line.</summary>
    Plain,

    /// <summary>Nothing.</summary>
    None,
}
