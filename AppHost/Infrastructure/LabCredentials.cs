using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// The servers' passwords: generated once per lab state folder and kept beside the data they protect
/// (<c>credentials.json</c>, readable by its owner only), then handed to Aspire as secret parameters
/// (<c>Parameters:{name}</c>). A value set in configuration or user secrets wins. Wiping the state folder
/// wipes both, so a server's data folder and its password never disagree.
/// </summary>
public static class LabCredentials
{
    public const string MessagingUser = "messaging-username";
    public const string MessagingPassword = "messaging-password";
    public const string CachePassword = "cache-password";
    public const string PostgresPassword = "postgres-password";
    public const string EtcdPassword = "etcd-password";

    private static readonly string[] Secrets = [MessagingPassword, CachePassword, PostgresPassword, EtcdPassword];

    public static void AddTo(IConfigurationManager configuration, string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        var file = Path.Combine(stateDirectory, "credentials.json");
        var stored = File.Exists(file)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? []
            : [];

        var changed = false;
        foreach (var name in Secrets.Where(name => !stored.ContainsKey(name)))
        {
            stored[name] = Generate();
            changed = true;
        }

        if (changed)
        {
            File.WriteAllText(file, JsonSerializer.Serialize(stored, new JsonSerializerOptions { WriteIndented = true }));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var defaults = stored
            .Where(kv => string.IsNullOrEmpty(configuration[$"Parameters:{kv.Key}"]))
            .Select(kv => new KeyValuePair<string, string?>($"Parameters:{kv.Key}", kv.Value))
            .Append(new KeyValuePair<string, string?>($"Parameters:{MessagingUser}", configuration[$"Parameters:{MessagingUser}"] ?? "queuelab"));
        configuration.AddInMemoryCollection(defaults);
    }

    /// <summary>24 characters of [A-Za-z0-9]: safe in every connection string format the lab uses
    /// (StackExchange.Redis cannot take commas, AMQP URIs need escaping for most punctuation).</summary>
    private static string Generate() =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 24);
}
