namespace QueueLab.Ordering.Options;

/// <summary>Where processors record each processed message, once per seq.</summary>
public enum SystemOfRecordKind
{
    /// <summary>A Redis hash (<see cref="OrderingKeys.Records"/>), written in the same script as the stream entry.</summary>
    Redis,

    /// <summary>A PostgreSQL table keyed by seq (<c>INSERT ... ON CONFLICT DO NOTHING</c>).</summary>
    Postgres,
}
