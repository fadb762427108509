using Microsoft.Extensions.Configuration;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>
/// Finds the server programs that local mode runs. Each can be overridden under
/// <c>QueueLab:Binaries:{Name}</c>; a missing one fails start-up at once, naming the Debian package to install.
/// </summary>
public sealed record ServerBinaries(
    string RedisServer,
    string RabbitMQServer,
    string RabbitMQCtl,
    string Epmd,
    string Postgres,
    string InitDb,
    string Etcd)
{
    public static ServerBinaries Locate(IConfiguration configuration)
    {
        var section = configuration.GetSection("QueueLab:Binaries");
        var missing = new List<(string Program, string Package)>();

        string Find(string key, string package, params string[] candidates)
        {
            var configured = section[key];
            var found = configured is { Length: > 0 }
                ? (File.Exists(configured) ? configured : null)
                : candidates.SelectMany(Expand).FirstOrDefault(File.Exists);
            if (found is null)
            {
                missing.Add((configured ?? candidates[0], package));
            }

            return found ?? string.Empty;
        }

        var postgresBin = PostgresBinDirectory();
        var binaries = new ServerBinaries(
            RedisServer: Find("RedisServer", "redis-server", "redis-server"),
            RabbitMQServer: Find("RabbitMQServer", "rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmq-server"),
            RabbitMQCtl: Find("RabbitMQCtl", "rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmqctl"),
            Epmd: Find("Epmd", "erlang-base", "epmd", "/usr/lib/erlang/bin/epmd"),
            Postgres: Find("Postgres", "postgresql", Path.Combine(postgresBin, "postgres")),
            InitDb: Find("InitDb", "postgresql", Path.Combine(postgresBin, "initdb")),
            Etcd: Find("Etcd", "etcd-server", "etcd"));

        if (missing.Count > 0)
        {
            var packages = string.Join(' ', missing.Select(m => m.Package).Distinct());
            throw new InvalidOperationException(
                $"QueueLab runs its servers as local processes (no container runtime answers) but cannot find " +
                $"{string.Join(", ", missing.Select(m => m.Program))}. Install them with " +
                $"`sudo apt-get install -y {packages}` (or run `./queuelab run`, which does), or point " +
                "QueueLab:Binaries:<Name> at them, or start a container runtime and set QueueLab:Infrastructure=containers.");
        }

        return binaries;
    }

    /// <summary>Debian keeps PostgreSQL's server programs out of PATH, under one folder per major version.</summary>
    private static string PostgresBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return Path.Combine(root, "15", "bin");
        }

        return Directory.GetDirectories(root)
            .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
            .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "postgres")))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Dir, "bin"))
            .FirstOrDefault() ?? Path.Combine(root, "15", "bin");
    }

    private static IEnumerable<string> Expand(string candidate) =>
        Path.IsPathRooted(candidate)
            ? [candidate]
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, candidate));
}
