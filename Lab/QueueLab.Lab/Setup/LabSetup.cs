using Microsoft.Extensions.Configuration;

namespace QueueLab.Lab.Setup;

/// <summary>What a lab runs, read once from its configuration: which pipelines, and the shape of each.</summary>
public sealed record LabSetup(PipelineSelection Pipelines, OrderingSetup Ordering, RabbitSetup Rabbit)
{
    /// <summary>
    /// The servers this lab starts (<see cref="ResourceNames.Servers"/>' names): those its pipelines use. Pipeline A uses
    /// RabbitMQ, Redis (processing state from phase 2 on) and PostgreSQL (final state), and etcd only in phase 3, where its
    /// coordinators allocate the queues; pipeline B uses Redis, and PostgreSQL only as its system of record
    /// (<c>Processor:SystemOfRecord=postgres</c>). A servers-only lab (<c>QueueLab:Pipelines=none</c>) starts all four. A
    /// server nothing uses is not started: an ordering lab does not boot RabbitMQ's Erlang VM beside the pipeline it
    /// measures, and a phase 1 or 2 lab has no etcd.
    /// </summary>
    public IReadOnlyList<string> Servers =>
        [.. ResourceNames.Servers.Where(name => (Pipelines.Ordering, Pipelines.Rabbit) switch
        {
            (false, false) => true,
            (_, true) when name == ResourceNames.Etcd => Rabbit.Phase == 3,
            (_, true) => true,
            _ => name == ResourceNames.Cache
                || (name == ResourceNames.Postgres && Ordering.SystemOfRecord == QueueLab.Ordering.Options.SystemOfRecordKind.Postgres),
        })];

    /// <summary>Whether this lab starts server <paramref name="name"/> (see <see cref="Servers"/>).</summary>
    public bool Runs(string name) => Servers.Contains(name, StringComparer.Ordinal);

    public static LabSetup Read(IConfiguration configuration) =>
        new(PipelineSelection.Read(configuration), OrderingSetup.Read(configuration), RabbitSetup.Read(configuration));
}
