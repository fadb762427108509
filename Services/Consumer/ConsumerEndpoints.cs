using Microsoft.Extensions.Options;

namespace QueueLab.Consumer;

public static class ConsumerEndpoints
{
    /// <summary><c>GET /stats</c>: this replica's totals (consumed, processed, duplicates, held, retries, dead-lettered).</summary>
    public static WebApplication MapConsumerEndpoints(this WebApplication app)
    {
        app.MapGet("/stats", (ConsumerTelemetry telemetry, QueueManager manager, IOptions<ConsumerOptions> options) =>
            Results.Ok(telemetry.Snapshot(options.Value.ConsumerId, options.Value.Phase, manager.ActiveQueues)));
        return app;
    }
}
