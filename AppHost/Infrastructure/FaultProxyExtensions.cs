using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using QueueLab.AppHost.Infrastructure.Local;
using QueueLab.Lab;
using QueueLab.Lab.Network;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// Chaos runs can put a TCP fault proxy (<see cref="TcpFaultProxy"/>) in front of any of the local servers:
/// <c>QueueLab:Chaos:Proxies=cache,postgres</c> (or <c>all</c>). Every client (services, health checks, tests that use
/// the connection strings) then reaches that server through the proxy, which the chaos suites and the dashboard's
/// commands can delay, black-hole, cut and restore. The proxies run inside the AppHost, on 127.0.0.1: on the server's
/// port + 100 under <c>dotnet run</c> (Redis 16479, RabbitMQ 15773, PostgreSQL 15532, etcd 12479), on free ports in tests.
/// </summary>
public static class FaultProxyExtensions
{
    public const string Key = "QueueLab:Chaos:Proxies";
    public const int FixedPortOffset = 100;

    /// <param name="peerLinks">The members of a cluster whose peers reach each other through the lab (etcd's): per member, the
    /// peer port it advertises, where a proxy always listens, and the one it listens on itself.</param>
    public static FaultProxies AddFaultProxies(
        this IDistributedApplicationBuilder builder, LabSettings settings, IReadOnlyList<LocalServerResource> servers,
        IReadOnlyList<(string Member, int Advertised, int Listening)>? peerLinks = null)
    {
        var proxies = new FaultProxies();
        builder.AddLabLayer(proxies);
        foreach (var (member, advertised, listening) in peerLinks ?? [])
        {
            proxies.Add(FaultProxies.PeersOf(member), advertised, listening);
        }

        var wanted = Names(builder.Configuration[Key]);
        if (wanted.Count == 0)
        {
            return proxies;
        }

        if (settings.Mode == InfrastructureMode.Containers)
        {
            throw new InvalidOperationException(
                $"{Key} puts fault proxies in front of local servers only; run with QueueLab:Infrastructure=local, or remove {Key}.");
        }

        var known = servers.Select(s => s.Name).ToList();
        var unknown = wanted.Where(n => n != "all" && !known.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"{Key} names {string.Join(", ", unknown)}; use a comma-separated list of the servers this lab starts, {string.Join(", ", known)} (or all).");
        }

        var chosen = servers.Where(s => wanted.Contains("all") || wanted.Contains(s.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        var free = settings.RandomPorts ? LabPorts.FreePorts(chosen.Count) : [];
        for (var i = 0; i < chosen.Count; i++)
        {
            var server = chosen[i];
            var listenPort = settings.RandomPorts ? free[i] : server.Port + FixedPortOffset;
            proxies.Add(server.Name, listenPort, server.Port);
            server.ClientPort = listenPort;
        }

        return proxies;
    }

    private static List<string> Names(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant())];
}
