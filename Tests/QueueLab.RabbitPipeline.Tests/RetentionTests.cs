using QueueLab.Rabbit;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary>The processing log's retention, through the running schema manager (default retention 1 day, checked every second here).</summary>
[Collection(Phase2Collection.Name)]
public sealed class RetentionTests(Phase2Fixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Processing_log_rows_older_than_the_retention_are_deleted_and_recent_ones_kept()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        await using (var command = lab.Probe.Database.CreateCommand(
            $"INSERT INTO {LabTables.ProcessingLog} (message_id, current_state, queue_name, consumer_id, phase, outcome, logged_at) VALUES " +
            "($1, 'validate', 'queue-1', 'test', 2, 'processed', now() - interval '2 days'), ($2, 'validate', 'queue-1', 'test', 2, 'processed', now() - interval '1 hour')"))
        {
            command.Parameters.AddWithValue($"old-{run}");
            command.Parameters.AddWithValue($"recent-{run}");
            await command.ExecuteNonQueryAsync(Ct);
        }

        await Poll.UntilAsync(async () => await lab.Probe.LogCountAsync(MessageIdPattern.Exactly($"old-{run}"), cancellationToken: Ct) == 0,
            TimeSpan.FromSeconds(30), "the row from two days ago is deleted", cancellationToken: Ct);
        (await lab.Probe.LogCountAsync(MessageIdPattern.Exactly($"recent-{run}"), cancellationToken: Ct)).ShouldBe(1, "an hour-old row is within the day's retention");
    }
}
