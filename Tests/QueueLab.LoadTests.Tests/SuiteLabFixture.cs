using QueueLab.LoadTests.Labs;

namespace QueueLab.LoadTests.Tests;

/// <summary>One lab (the AppHost through the testing builder) shared by a collection's suite runs.</summary>
public abstract class SuiteLabFixture : IAsyncLifetime
{
    private LabSession? _session;

    protected abstract LabProfile Profile { get; }

    public LabConnections Lab => (_session ?? throw new InvalidOperationException("The lab has not started.")).Connections;

    public async ValueTask InitializeAsync() => _session = await LabSession.StartAsync(Profile, TextWriter.Null);

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_session is not null)
        {
            await _session.DisposeAsync();
            _session = null;
        }
    }
}
