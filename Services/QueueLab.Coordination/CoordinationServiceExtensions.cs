using dotnet_etcd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace QueueLab.Coordination;

public static class CoordinationServiceExtensions
{
    public const string EtcdConnectionName = "etcd";

    /// <summary>
    /// Registers the etcd client (connection string <c>ConnectionStrings:etcd</c>, for example
    /// <c>http://root:PASSWORD@127.0.0.1:2379</c>; see <see cref="EtcdConnection"/>), the validated <see cref="CoordinationOptions"/> and the coordination building blocks.
    /// </summary>
    public static IHostApplicationBuilder AddEtcdCoordination(this IHostApplicationBuilder builder, string connectionName = EtcdConnectionName)
    {
        builder.Services.AddOptions<CoordinationOptions>()
            .BindConfiguration(CoordinationOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CoordinationOptions>, CoordinationOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(connectionName);
            return string.IsNullOrWhiteSpace(connectionString)
                ? throw new InvalidOperationException(
                    $"ConnectionStrings:{connectionName} is not set; reference the etcd resource from the AppHost or set it to the etcd URL (http://user:password@host:port).")
                : EtcdConnection.Parse(connectionString);
        });
        builder.Services.AddSingleton(sp => sp.GetRequiredService<EtcdConnection>().CreateClient());
        builder.Services.AddSingleton(sp => new CoordinationKeys(sp.GetRequiredService<IOptions<CoordinationOptions>>().Value.KeyRoot));
        builder.Services.AddSingleton<EtcdCalls>();
        builder.Services.AddSingleton<LeaseKeeper>();
        builder.Services.AddSingleton<EtcdChangeWatcher>();
        builder.Services.AddSingleton<QueueConfigurationStore>();
        builder.Services.AddSingleton<ConsumerRegistrar>();
        builder.Services.AddSingleton<AssignmentWatcher>();
        builder.Services.AddSingleton<LeaderElector>();
        builder.Services.AddSingleton<CoordinationStateReader>();
        return builder;
    }
}
