using Microsoft.Extensions.Configuration;
using QueueLab.Lab.Setup;

namespace QueueLab.Lab.Tests;

/// <summary>Which servers a lab starts: those its pipelines use, and no other.</summary>
public sealed class LabSetupTests
{
    private static LabSetup Setup(params (string Key, string Value)[] settings) =>
        LabSetup.Read(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    [Theory]
    [InlineData("rabbit", "1", "messaging,cache,postgres")]
    [InlineData("rabbit", "2", "messaging,cache,postgres")]
    [InlineData("rabbit", "3", "messaging,cache,postgres,etcd")]
    [InlineData("ordering,rabbit", "2", "messaging,cache,postgres")]
    [InlineData("ordering,rabbit", "3", "messaging,cache,postgres,etcd")]
    [InlineData("ordering", "3", "cache")]
    [InlineData("none", "2", "messaging,cache,postgres,etcd")]
    public void Starts_etcd_only_where_coordinators_use_it(string pipelines, string phase, string servers)
    {
        Setup(("QueueLab:Pipelines", pipelines), (RabbitSetup.PhaseKey, phase)).Servers.ShouldBe(servers.Split(','));
    }

    [Fact]
    public void An_ordering_lab_starts_postgres_only_as_its_system_of_record()
    {
        Setup(("QueueLab:Pipelines", "ordering"), ("QueueLab:Ordering:Processor:SystemOfRecord", "postgres")).Servers
            .ShouldBe([ResourceNames.Cache, ResourceNames.Postgres]);
    }
}
