namespace QueueLab.Coordinator;

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<CoordinatorRole>))]
public enum CoordinatorRole
{
    /// <summary>Seeding the queue configuration (etcd not reached yet).</summary>
    Starting,

    /// <summary>Waiting for the leader key.</summary>
    Standby,

    Leader,
}
