using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using QueueLab.Lab.Commands;
using QueueLab.Lab.Ordering;
using QueueLab.Lab.Rabbit;
using QueueLab.Testing;
using StackExchange.Redis;

namespace QueueLab.Lab.Commands.Tests;

/// <summary>
/// The whole lab, both pipelines, phase 3, made small for a 2-core machine (2 processors at 100 ms work, 2 sequencers,
/// 2 consumers, 1 coordinator), so every dashboard command can run against it; run reports go to the temporary state
/// folder and runs skip the warm-up.
/// </summary>
public sealed class CommandsFixture : LabFixture
{
    private OrderingProbe? _ordering;
    private RabbitProbe? _rabbit;

    protected override IEnumerable<string> Arguments =>
    [
        "QueueLab:Phase=3",
        "QueueLab:Ordering:Processors=2",
        "QueueLab:Ordering:Sequencers=2",
        "QueueLab:Ordering:Processor:WorkTime=00:00:00.1",
        "QueueLab:Rabbit:Consumers=2",
        "QueueLab:Rabbit:Coordinators=1",
        "QueueLab:Coordination:LeaseTtl=00:00:03",
        "QueueLab:Commands:Warmup=0",
        $"QueueLab:Commands:ReportDir={ReportDirectory}",
        "Logging:LogLevel:Default=Warning",
    ];

    protected override IEnumerable<string> ResourcesToAwait =>
        [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.Etcd, ResourceNames.Processor, ResourceNames.Sequencer, ResourceNames.Publisher, ResourceNames.Coordinator, ResourceNames.Consumer];

    public string ReportDirectory => Path.Combine(StateDirectory, "reports");

    public OrderingProbe Ordering => _ordering ?? throw new InvalidOperationException("Not started.");

    public RabbitProbe Rabbit => _rabbit ?? throw new InvalidOperationException("Not started.");

    public IDatabase Redis => Ordering.Db;

    public LoadRuns Runs => App.Services.GetRequiredService<LoadRuns>();

    public CommandGates Gates => App.Services.GetRequiredService<CommandGates>();

    protected override async ValueTask StartedAsync()
    {
        _ordering = await OrderingProbe.ConnectAsync(await GetConnectionStringAsync(ResourceNames.Cache), clientName: "queuelab-tests");
        _rabbit = RabbitProbe.Connect(await GetConnectionStringAsync(ResourceNames.Database));
    }

    public Task<ExecuteCommandResult> ExecuteAsync(string resourceId, string command, params (string Name, string Value)[] arguments)
    {
        var ct = TestContext.Current.CancellationToken;
        return arguments.Length == 0
            ? App.ResourceCommands.ExecuteCommandAsync(resourceId, command, ct)
            : App.ResourceCommands.ExecuteCommandAsync(resourceId, command,
                new InteractionInputCollection([.. arguments.Select(a => new InteractionInput { Name = a.Name, InputType = InputType.Text, Value = a.Value })]), ct);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_ordering is not null)
        {
            await _ordering.DisposeAsync();
        }

        if (_rabbit is not null)
        {
            await _rabbit.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class CommandsCollection : ICollectionFixture<CommandsFixture>
{
    public const string Name = "commands";
}

public static class CommandResultExtensions
{
    /// <summary>A command's answer as a failed assertion should show it: its message and the text it returned (for a
    /// load run, the suite's summary or why it could not complete).</summary>
    public static string Why(this ExecuteCommandResult result) =>
        result.Data?.Value is { Length: > 0 } data ? $"{result.Message}\n{data}" : result.Message ?? "(no message)";
}
