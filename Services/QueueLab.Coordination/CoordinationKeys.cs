using Google.Protobuf;

namespace QueueLab.Coordination;

/// <summary>
/// The etcd key layout under one root (<c>/queuelab/</c> by default; tests use their own root so they cannot
/// disturb each other): queue configuration, leased consumer registrations, assignments written by the leader,
/// the generations consumers applied, the leader key and the assignment generation counter.
/// </summary>
public sealed class CoordinationKeys
{
    public const string DefaultRoot = "/queuelab/";

    public CoordinationKeys(string root = DefaultRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = root.EndsWith('/') ? root : root + "/";
    }

    public string Root { get; }

    /// <summary><c>{root}queues/</c>: one document per queue, <c>{ priority, updatedAt, binding }</c>.</summary>
    public string QueuesPrefix => Root + "queues/";

    /// <summary><c>{root}consumers/</c>: one key per live consumer, attached to that consumer's lease.</summary>
    public string ConsumersPrefix => Root + "consumers/";

    /// <summary><c>{root}assignments/</c>: one document per consumer, <c>{ queues, generation, updatedAt, leader }</c>.</summary>
    public string AssignmentsPrefix => Root + "assignments/";

    /// <summary><c>{root}applied/</c>: the generation each consumer last applied.</summary>
    public string AppliedPrefix => Root + "applied/";

    /// <summary>The leader key: created by a transaction, attached to the leader's lease; its create revision is the fencing token.</summary>
    public string Leader => Root + "coordinator/leader";

    /// <summary>The last assignment generation the leader wrote.</summary>
    public string Generation => Root + "coordinator/generation";

    public string Queue(string name) => QueuesPrefix + name;

    public string Consumer(string id) => ConsumersPrefix + id;

    public string Assignment(string consumerId) => AssignmentsPrefix + consumerId;

    public string Applied(string consumerId) => AppliedPrefix + consumerId;

    /// <summary>The name after <paramref name="prefix"/> in <paramref name="key"/>.</summary>
    public static string NameOf(ByteString key, string prefix) => key.ToStringUtf8()[prefix.Length..];

    public static ByteString Bytes(string key) => ByteString.CopyFromUtf8(key);

    /// <summary>The range end that makes a range request cover every key starting with <paramref name="prefix"/>.</summary>
    public static ByteString RangeEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }
}
