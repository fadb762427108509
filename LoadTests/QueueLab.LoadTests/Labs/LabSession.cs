using System.Diagnostics;

namespace QueueLab.LoadTests.Labs;

/// <summary>
/// The lab a run uses: an already running one (its connection strings given), or one this session starts through
/// the Aspire testing builder and stops when disposed.
/// </summary>
public sealed class LabSession : IAsyncDisposable
{
    private readonly SuiteLab? _lab;

    private LabSession(LabConnections connections, SuiteLab? lab)
    {
        Connections = connections;
        _lab = lab;
    }

    public LabConnections Connections { get; }

    public static LabSession Existing(IReadOnlyDictionary<string, string> connectionStrings) =>
        new(new LabConnections(connectionStrings, startedBySuite: false), null);

    public static async Task<LabSession> StartAsync(LabProfile profile, TextWriter log)
    {
        log.WriteLine($"starting a lab: {profile.Describe()} (waiting for {string.Join(", ", profile.Resources)})");
        var clock = Stopwatch.StartNew();
        var lab = new SuiteLab(profile);
        await lab.InitializeAsync().ConfigureAwait(false);
        try
        {
            var strings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in profile.Connections)
            {
                strings[name] = await lab.GetConnectionStringAsync(name).ConfigureAwait(false);
            }

            log.WriteLine($"lab up in {clock.Elapsed.TotalSeconds:0.0} s");
            return new LabSession(new LabConnections(strings, startedBySuite: true) { ProcessIds = lab.Pids }, lab);
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync().ConfigureAwait(false);
        }
    }
}
