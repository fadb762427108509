using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination.Tests;

/// <summary>The coordination services, wired as the services wire them, against a real etcd and a key root.</summary>
public sealed class CoordinationHost(IHost host) : IDisposable
{
    public static CoordinationHost Create(string etcd, string root, int leaseTtlSeconds)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings(etcd, root, leaseTtlSeconds));
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddEtcdCoordination();
        return new CoordinationHost(builder.Build());
    }

    public static Dictionary<string, string?> Settings(string etcd, string root, int leaseTtlSeconds) => new()
    {
        ["ConnectionStrings:etcd"] = etcd,
        ["QueueLab:Coordination:KeyRoot"] = root,
        ["QueueLab:Coordination:LeaseTtl"] = TimeSpan.FromSeconds(leaseTtlSeconds).ToString("c", CultureInfo.InvariantCulture),
        ["QueueLab:Coordination:ReconcileInterval"] = "00:00:01",
        ["QueueLab:Coordination:RequestTimeout"] = "00:00:01.500",
    };

    public T Get<T>()
        where T : notnull => host.Services.GetRequiredService<T>();

    public CoordinationKeys Keys => Get<CoordinationKeys>();

    public void Dispose() => host.Dispose();
}
