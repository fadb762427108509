using QueueLab.Lab.Processes;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.AppHost.Tests;

/// <summary>
/// Nothing the lab starts can be reached from another machine: every listening TCP socket of every process it runs
/// is on loopback, whatever port the process chose (not only the client ports the lab configured).
/// </summary>
[Collection(WholeLabCollection.Name)]
public sealed class LoopbackTests(WholeLabFixture lab)
{
    [Fact]
    public void Every_listening_socket_of_every_lab_process_is_on_loopback()
    {
        // The servers and services (each instance's process tree), the orchestrator with its endpoint proxies, and
        // the AppHost itself (this process: the fault proxies and anything else it would listen on).
        var processes = lab.Resources.ProcessOwners().ToDictionary();
        foreach (var pid in ProcessTree.Orchestrator(Environment.ProcessId))
        {
            processes.TryAdd(pid, "dcp");
        }

        processes.TryAdd(Environment.ProcessId, "apphost");

        var sockets = ListeningSockets.HeldBy(processes);
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{sockets.Count} listening sockets held by {processes.Count} processes of the lab:");
        foreach (var socket in sockets)
        {
            output?.WriteLine("  " + socket);
        }

        // Not a vacuous pass: every kind of process was seen listening, RabbitMQ on its three ports (AMQP, management,
        // and the distribution port of the Erlang node) and etcd on its two (client, peer).
        string[] resources = [ResourceNames.Messaging, "messaging-epmd", ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Etcd, .. WholeLabFixture.Services];
        foreach (var resource in resources)
        {
            sockets.ShouldContain(s => lab.Resources.Snapshots(resource).ContainsKey(s.Owner), $"{resource} listens on a TCP port");
        }

        sockets.ShouldContain(s => s.Owner == "dcp", "the orchestrator's endpoint proxies listen");
        Ports(ResourceNames.Messaging).Count.ShouldBeGreaterThanOrEqualTo(3, "RabbitMQ: AMQP, management and distribution");
        Ports(ResourceNames.Etcd).Count.ShouldBeGreaterThanOrEqualTo(2, "etcd: client and peer");

        var exposed = sockets.Where(s => !s.IsLoopback).ToList();
        exposed.ShouldBeEmpty("every listening socket is on 127.0.0.1 or ::1; these are not: " + string.Join("; ", exposed));

        HashSet<int> Ports(string resource) =>
            [.. sockets.Where(s => lab.Resources.Snapshots(resource).ContainsKey(s.Owner)).Select(s => s.Port)];
    }
}
