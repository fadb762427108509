namespace QueueLab.Coordination;

/// <summary>A key, or every key under a prefix, to watch.</summary>
public sealed record WatchTarget(string Key, bool IsPrefix)
{
    public static WatchTarget Exact(string key) => new(key, false);

    public static WatchTarget Prefix(string prefix) => new(prefix, true);
}
