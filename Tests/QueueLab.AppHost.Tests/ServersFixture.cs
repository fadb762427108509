using QueueLab.Testing;

namespace QueueLab.AppHost.Tests;

/// <summary>The four servers alone: no pipeline services.</summary>
public sealed class ServersFixture : LabFixture
{
    protected override IEnumerable<string> Arguments => ["QueueLab:Pipelines=none"];
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<ServersFixture>
{
    public const string Name = "servers";
}
