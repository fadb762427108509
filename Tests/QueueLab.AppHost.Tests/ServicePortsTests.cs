using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace QueueLab.AppHost.Tests;

/// <summary>
/// The HTTP APIs the README's <c>curl</c> lines call are on fixed, configurable ports under <c>dotnet run</c> (the model,
/// built but not started): the coordinators (every replica behind one proxied port) and the publisher.
/// </summary>
public sealed class ServicePortsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_coordinators_and_the_publisher_have_the_documented_ports()
    {
        var ports = await HttpPortsAsync("QueueLab:Ports:Random=false");

        ports[ResourceNames.Coordinator].ShouldBe((15080, true), "one proxied port in front of every coordinator replica");
        ports[ResourceNames.Publisher].ShouldBe((15081, true));
    }

    [Fact]
    public async Task A_configured_port_is_used()
    {
        var ports = await HttpPortsAsync("QueueLab:Ports:Random=false", "QueueLab:Ports:Coordinator=25080", "QueueLab:Ports:Publisher=25081");

        ports[ResourceNames.Coordinator].Port.ShouldBe(25080);
        ports[ResourceNames.Publisher].Port.ShouldBe(25081);
    }

    [Fact]
    public async Task A_port_given_twice_is_refused_naming_both()
    {
        var error = await Should.ThrowAsync<Exception>(() =>
            HttpPortsAsync("QueueLab:Ports:Random=false", "QueueLab:Ports:Publisher=15080"));

        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        string.Join(" | ", messages).ShouldContain("gives port 15080 to Coordinator and Publisher");
    }

    /// <summary>Each service's <c>http</c> endpoint: its host port and whether the orchestrator proxies it.</summary>
    private static async Task<Dictionary<string, (int? Port, bool Proxied)>> HttpPortsAsync(params string[] args)
    {
        var state = Path.Combine(Path.GetTempPath(), "queuelab-test-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.QueueLab_AppHost>(
                [$"QueueLab:StateDir={state}", "QueueLab:Infrastructure=local", "QueueLab:Phase=3", .. args], Ct);
            await using var app = await builder.BuildAsync(Ct);
            return app.Services.GetRequiredService<DistributedApplicationModel>().Resources
                .OfType<ProjectResource>()
                .Where(r => r.Name is ResourceNames.Coordinator or ResourceNames.Publisher)
                .ToDictionary(
                    r => r.Name,
                    r => r.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http") is var http
                        ? (http.Port, http.IsProxied)
                        : default);
        }
        finally
        {
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }
}

/// <summary>The random ports a test lab gives its servers come from outside the ephemeral range, so nothing that asks
/// the system for a port (the orchestrator's proxies, an outgoing connection's source port) can take one before its
/// server binds it.</summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Free_ports_are_distinct_bindable_and_outside_the_ephemeral_range()
    {
        var (low, high) = QueueLab.AppHost.Infrastructure.LabPorts.UnassignedRange();
        var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

        var ports = QueueLab.AppHost.Infrastructure.LabPorts.FreePorts(40);

        ports.Distinct().Count().ShouldBe(40);
        ports.ShouldAllBe(p => p >= low && p < high);
        ports.ShouldAllBe(p => p < range[0] || p > range[1], $"the ephemeral range is {range[0]}-{range[1]}");
        foreach (var port in ports)
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
    }
}
