using QueueLab.Rabbit;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary>The processing log's retention, through the running schema manager (default retention 1 day, checked every second here).</summary>
[Collection(Phase2Collection.Name)]
public sealed class RetentionTests(Phase2Fixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Units_wholly_older_than_the_retention_lose_their_log_and_every_other_unit_keeps_all_of_it()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        // old: two rows and a final state, all two days old. recent: an hour old. straddling: a row two days old and one
        // now (a delivery again across the cutoff). stored-late: an old row whose final state was stored now.
        await using (var command = lab.Probe.Database.CreateCommand(
            $"""
             WITH log AS (INSERT INTO {LabTables.ProcessingLog} (message_id, current_state, queue_name, consumer_id, phase, outcome, logged_at) VALUES
                 ($1, 'validate', 'queue-1', 'test', 2, 'processed', now() - interval '2 days'),
                 ($1, 'validate', 'queue-1', 'test', 2, 'duplicate', now() - interval '2 days' + interval '1 second'),
                 ($2, 'validate', 'queue-1', 'test', 2, 'processed', now() - interval '1 hour'),
                 ($3, 'validate', 'queue-1', 'test', 2, 'processed', now() - interval '2 days'),
                 ($3, 'validate', 'queue-1', 'test', 2, 'duplicate', now()),
                 ($4, 'validate', 'queue-1', 'test', 2, 'processed', now() - interval '2 days'))
             INSERT INTO {LabTables.FinalStates} (message_id, current_state, queue_name, next_state, consumer_id, stored_at) VALUES
                 ($1, 'validate', 'queue-1', 'enrich', 'test', now() - interval '2 days'),
                 ($4, 'validate', 'queue-1', 'enrich', 'test', now())
             """))
        {
            command.Parameters.AddWithValue($"old-{run}");
            command.Parameters.AddWithValue($"recent-{run}");
            command.Parameters.AddWithValue($"straddling-{run}");
            command.Parameters.AddWithValue($"stored-late-{run}");
            await command.ExecuteNonQueryAsync(Ct);
        }

        try
        {
            await Poll.UntilAsync(async () => await lab.Probe.LogCountAsync(MessageIdPattern.Exactly($"old-{run}"), cancellationToken: Ct) == 0,
                TimeSpan.FromSeconds(30), "the unit from two days ago loses its log", cancellationToken: Ct);
            (await lab.Probe.LogCountAsync(MessageIdPattern.Exactly($"recent-{run}"), cancellationToken: Ct)).ShouldBe(1, "an hour-old unit is within the day's retention");
            (await lab.Probe.LogCountAsync(MessageIdPattern.Exactly($"straddling-{run}"), cancellationToken: Ct)).ShouldBe(2, "a unit with a recent row keeps all of its rows");
            (await lab.Probe.LogCountAsync(MessageIdPattern.Exactly($"stored-late-{run}"), cancellationToken: Ct)).ShouldBe(1, "a unit whose final state is recent keeps its log");

            await using var cutoff = lab.Probe.Database.CreateCommand(
                $"SELECT cutoff BETWEEN now() - interval '1 day 1 minute' AND now() - interval '1 day' + interval '1 minute' FROM {LabTables.Retention} WHERE name = $1");
            cutoff.Parameters.AddWithValue(LabTables.ProcessingLogRetention);
            (await cutoff.ExecuteScalarAsync(Ct)).ShouldBe(true, "the retention recorded its cutoff (a day ago)");
        }
        finally
        {
            // Hand-made units are no run of the lab's: the phase's other checks must not see them.
            await using var cleanup = lab.Probe.Database.CreateCommand(
                $"WITH log AS (DELETE FROM {LabTables.ProcessingLog} WHERE message_id LIKE $1) DELETE FROM {LabTables.FinalStates} WHERE message_id LIKE $1");
            cleanup.Parameters.AddWithValue($"%-{run}");
            await cleanup.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
