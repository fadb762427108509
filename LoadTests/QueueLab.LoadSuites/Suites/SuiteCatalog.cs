using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Idle;
using QueueLab.LoadSuites.Ordering;
using QueueLab.LoadSuites.Rabbit;

namespace QueueLab.LoadSuites.Suites;

/// <summary>Every suite by its command-line name.</summary>
public static class SuiteCatalog
{
    public static IReadOnlyList<ISuite> All { get; } =
    [
        new OrderedBurstSuite(),
        new OrderedSoakSuite(),
        new OrderedOverheadSuite(),
        new RabbitBurstSuite(),
        new RabbitSoakSuite(),
        new IdleSuite(),
    ];

    public static ISuite Find(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new UsageException($"unknown suite '{name}'; use one of {string.Join(", ", All.Select(s => s.Name))}.");
}
