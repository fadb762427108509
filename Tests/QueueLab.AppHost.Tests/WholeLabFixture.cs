using QueueLab.Testing;

namespace QueueLab.AppHost.Tests;

/// <summary>
/// Every kind of process the lab starts: the four servers (and epmd) and one replica of every service of both
/// pipelines in phase 3 (one is enough to see how each binds; more would only load two cores), and the dashboard, to
/// which every service exports its telemetry with every trace sampled (<see cref="TraceTests"/> reads them back).
/// </summary>
public sealed class WholeLabFixture : LabFixture
{
    public static readonly string[] Services = [ResourceNames.Processor, ResourceNames.Sequencer, ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Consumer, ResourceNames.Coordinator];

    protected override IEnumerable<string> Arguments =>
    [
        "QueueLab:Phase=3",
        "QueueLab:Ordering:Processors=1",
        "QueueLab:Ordering:Sequencers=1",
        "QueueLab:Rabbit:Consumers=1",
        "QueueLab:Rabbit:Coordinators=1",
        "QueueLab:Telemetry:MaxTracesPerSecond=-1",
        .. QuietLogging,
    ];

    protected override bool Dashboard => true;

    protected override IEnumerable<string> ResourcesToAwait =>
        [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.Etcd, .. Services];
}

[CollectionDefinition(Name)]
public sealed class WholeLabCollection : ICollectionFixture<WholeLabFixture>
{
    public const string Name = "whole lab";
}
