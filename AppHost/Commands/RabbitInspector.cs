using Npgsql;
using QueueLab.Messaging;
using QueueLab.Verification;

namespace QueueLab.AppHost.Commands;

/// <summary>Pipeline A's stored outcome: the processing log checked against the final states, and the outcome counts.</summary>
/// <param name="Report">Every (message, queue) with a final state must have been processed exactly once (at least once in
/// phase 1) according to the processing log; a processing without a final state is reported as unexpected.</param>
/// <param name="Outcomes">Processing-log rows per outcome (processed, duplicate, held, retried, dead-lettered, ...).</param>
/// <param name="Pending">(message, queue) pairs seen in the log with neither a final state nor a dead letter yet.</param>
public sealed record RabbitCheck(int Phase, VerificationReport<QueuedMessage> Report, IReadOnlyDictionary<string, long> Outcomes, int FinalStates, int Pending)
{
    public string Headline
    {
        get
        {
            var s = Report.Summary;
            var counts = string.Join(", ", Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
            var mode = Phase == 1 ? "at least once (phase 1)" : $"exactly once (phase {Phase})";
            return Report.Passed
                ? $"pipeline A final states consistent, {mode}: {FinalStates} final states, {s.ExtraDeliveries} extra processings, {Pending} pending; log: {(counts.Length == 0 ? "empty" : counts)}"
                : $"pipeline A final states NOT consistent ({mode}): {s.Lost} final states without a processing, {s.Duplicated} processed more than once, " +
                  $"{s.Unexpected} processed without a final state, {Pending} pending; log: {counts}";
        }
    }
}

/// <summary>Reads pipeline A's PostgreSQL tables (<see cref="LabTables"/>) for the dashboard's verify command.</summary>
public static class RabbitInspector
{
    /// <summary>What is processed once: a message in one state on one queue (the final states' primary key).</summary>
    private const string Unit = "message_id || ' ' || current_state";

    public static async Task<RabbitCheck> CheckAsync(string connectionString, int phase, CancellationToken cancellationToken)
    {
        await using var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 10 }.ConnectionString);
        var finalStates = await PairsAsync(source, $"SELECT {Unit}, queue_name FROM {LabTables.FinalStates} ORDER BY stored_at", cancellationToken).ConfigureAwait(false);
        var processed = await PairsAsync(source,
            $"SELECT {Unit}, queue_name FROM {LabTables.ProcessingLog} WHERE outcome IN ('{ProcessingOutcomes.Processed}', '{ProcessingOutcomes.ProcessedAgain}') ORDER BY id",
            cancellationToken).ConfigureAwait(false);
        var finished = (await PairsAsync(source,
            $"SELECT {Unit}, queue_name FROM {LabTables.ProcessingLog} WHERE outcome = '{ProcessingOutcomes.DeadLettered}'", cancellationToken).ConfigureAwait(false))
            .Concat(finalStates).ToHashSet();
        var seen = (await PairsAsync(source, $"SELECT DISTINCT {Unit}, queue_name FROM {LabTables.ProcessingLog}", cancellationToken).ConfigureAwait(false));

        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand($"SELECT outcome, count(*) FROM {LabTables.ProcessingLog} GROUP BY outcome"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                outcomes[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var expected = finalStates.Distinct().ToList();
        var report = InvariantChecker.Check(expected, processed, phase == 1 ? VerificationOptions.AtLeastOnce : VerificationOptions.ExactlyOnce);
        return new RabbitCheck(phase, report, outcomes, finalStates.Count, seen.Count(p => !finished.Contains(p)));
    }

    private static async Task<List<QueuedMessage>> PairsAsync(NpgsqlDataSource source, string sql, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var pairs = new List<QueuedMessage>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pairs.Add(new QueuedMessage(reader.GetString(0), reader.GetString(1)));
        }

        return pairs;
    }
}
