using QueueLab.Rabbit;
using RabbitMQ.Client;
using Shouldly;

namespace QueueLab.Rabbit.Tests;

/// <summary>How a connection string names RabbitMQ's nodes: one URI, or a cluster's every node in its <c>endpoints=</c> query.</summary>
public sealed class RabbitConnectionsTests
{
    [Fact]
    public void A_single_servers_uri_names_its_own_host_and_port()
    {
        var endpoints = RabbitConnections.Endpoints("amqp://queuelab:secret@127.0.0.1:15673");

        endpoints.Select(e => (e.HostName, e.Port)).ShouldBe([("127.0.0.1", 15673)]);
    }

    [Fact]
    public void A_clusters_uri_names_every_node_and_the_factory_resolves_to_them()
    {
        const string connectionString = "amqp://queuelab:secret@127.0.0.1:15673/?endpoints=127.0.0.1:15673,127.0.0.1:15683,127.0.0.1:15693";

        RabbitConnections.Endpoints(connectionString).Select(e => (e.HostName, e.Port))
            .ShouldBe([("127.0.0.1", 15673), ("127.0.0.1", 15683), ("127.0.0.1", 15693)]);

        var factory = new ConnectionFactory { Uri = new Uri(connectionString) };
        RabbitConnections.For(connectionString)(factory);
        factory.AutomaticRecoveryEnabled.ShouldBeTrue();
        factory.UserName.ShouldBe("queuelab");
        factory.VirtualHost.ShouldBe("/", "the query is not a virtual host");
        var resolved = factory.EndpointResolverFactory([new AmqpTcpEndpoint("127.0.0.1", 15673)]).All().Select(e => e.Port).Order().ToList();
        resolved.ShouldBe([15673, 15683, 15693], "the client connects, and recovers, to any node");
    }

    [Fact]
    public void A_single_servers_factory_keeps_the_clients_own_resolver()
    {
        var factory = RabbitConnections.Factory("amqp://queuelab:secret@127.0.0.1:15673", "test");

        // The client's own resolver answers with the endpoints it is given, not with a list of the lab's.
        factory.EndpointResolverFactory([new AmqpTcpEndpoint("127.0.0.1", 5999)]).All().Select(e => e.Port).ShouldBe([5999]);
        factory.ClientProvidedName.ShouldBe("test");
    }
}
