namespace QueueLab.Ordering;

/// <summary>What order pipeline B keeps (<c>QueueLab:Ordering:Mode</c>).</summary>
public enum OrderingMode
{
    /// <summary>One global order: <c>seq</c> is unique over the input and consecutive from 1 (seed 001's contract); with
    /// partitions, seq k belongs to partition k mod P and the documented reading rule gives the global order.</summary>
    Global,

    /// <summary>Order per key, as in Kafka: each message carries a <c>key</c> and that key's own <c>seq</c>, consecutive from
    /// 1 per key; key k belongs to partition CRC16(k) mod P, and each key's messages come out in its seq order (keys
    /// interleave freely). A missing seq holds back only its own key.</summary>
    PerKey,
}
