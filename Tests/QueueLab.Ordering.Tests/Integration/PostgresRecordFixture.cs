namespace QueueLab.Ordering.Tests.Integration;

[CollectionDefinition(Name)]
public sealed class PostgresRecordCollection : ICollectionFixture<PostgresRecordFixture>
{
    public const string Name = "ordering-postgres";
}
