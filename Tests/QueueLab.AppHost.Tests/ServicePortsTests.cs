using Aspire.Hosting.ApplicationModel;
using QueueLab.AppHost.Infrastructure;
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

        ModelBuild.Messages(error).ShouldContain("gives port 15080 to Coordinator and Publisher");
    }

    /// <summary>Each service's <c>http</c> endpoint: its host port and whether the orchestrator proxies it.</summary>
    private static Task<Dictionary<string, (int? Port, bool Proxied)>> HttpPortsAsync(params string[] args) =>
        ModelBuild.InspectAsync(["QueueLab:Infrastructure=local", "QueueLab:Phase=3", .. args], app => Task.FromResult(
            ModelBuild.Resources(app).OfType<ProjectResource>()
                .Where(r => r.Name is ResourceNames.Coordinator or ResourceNames.Publisher)
                .ToDictionary(
                    r => r.Name,
                    r => r.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http") is var http
                        ? (http.Port, http.IsProxied)
                        : default)), Ct);
}

/// <summary>The random ports a test lab gives its servers come from outside the system's ephemeral range and the
/// orchestrator's own range, so nothing that asks for a port (the orchestrator's proxies and services, an outgoing
/// connection's source port) can take one before its server binds it; and none is handed out twice.</summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Free_ports_are_distinct_and_outside_the_ranges_others_hand_out()
    {
        var (low, high) = LabPorts.UnassignedRange();
        var ephemeral = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

        var first = LabPorts.FreePorts(30);
        var second = LabPorts.FreePorts(30);

        first.Concat(second).Distinct().Count().ShouldBe(60, "a second call (a lab's fault proxies after its servers) never repeats a port");
        first.Concat(second).ShouldAllBe(p => p >= low && p < high);
        first.Concat(second).ShouldAllBe(p => p < ephemeral[0] || p > ephemeral[1], $"the ephemeral range is {ephemeral[0]}-{ephemeral[1]}");
        first.Concat(second).ShouldAllBe(p => p < LabPorts.OrchestratorRange.Low || p >= LabPorts.OrchestratorRange.High);
    }
}
