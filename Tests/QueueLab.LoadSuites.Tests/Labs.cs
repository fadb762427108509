using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Ordering;
using QueueLab.LoadSuites.Rabbit;

namespace QueueLab.LoadSuites.Tests;

/// <summary>
/// Both pipelines in one lab, as their settings allow: pipeline B with 3 processors x 8 in flight and 100 ms work, and
/// pipeline A in phase 2 with 3 consumers. The burst and soak suites of both share it.
/// </summary>
public sealed class PipelinesFixture : SuiteLabFixture
{
    public static readonly SuiteOptions Ordering = new() { Suite = "ordered", Processors = 3, InFlight = 8, WorkMs = 100 };

    public static readonly SuiteOptions Rabbit = new() { Suite = "rabbit", Phase = 2, Consumers = 3 };

    protected override LabProfile Profile
    {
        get
        {
            var ordering = OrderingSettings.From(Ordering).Profile();
            var rabbit = RabbitSettings.From(Rabbit).Profile();
            return new LabProfile(
                ["QueueLab:Pipelines=ordering,rabbit", .. ordering.AppHostSettings.Skip(1), .. rabbit.AppHostSettings.Skip(1)],
                [.. ordering.Resources.Union(rabbit.Resources)],
                [.. ordering.Connections.Union(rabbit.Connections)]);
        }
    }
}

/// <summary>Pipeline B with work 0 (3 processors x 64 in flight): the overhead suite.</summary>
public sealed class OverheadFixture : SuiteLabFixture
{
    public static readonly SuiteOptions Options = new() { Suite = "ordered-overhead" };

    protected override LabProfile Profile => OrderedOverheadSuite.Settings(Options).Profile();
}

[CollectionDefinition(Name)]
public sealed class PipelinesCollection : ICollectionFixture<PipelinesFixture>
{
    public const string Name = "pipelines A and B, 100 ms work";
}

[CollectionDefinition(Name)]
public sealed class OverheadCollection : ICollectionFixture<OverheadFixture>
{
    public const string Name = "pipeline B, 0 ms work";
}
