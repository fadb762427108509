using Npgsql;
using QueueLab.Rabbit;
using QueueLab.Verification;
using RabbitMQ.Client;

namespace QueueLab.Lab.Rabbit;

/// <summary>
/// Pipeline A as the lab layer reads it: the broker (consumers per queue, the backlog) and PostgreSQL (<see cref="LabTables"/>:
/// the processing log and the final states, for a whole lab or for one run's message ids, a prefix). The one place where
/// the suites, the dashboard's commands and the tests read pipeline A's state.
/// </summary>
public sealed class RabbitProbe(NpgsqlDataSource database, IConnection? broker = null) : IAsyncDisposable
{
    /// <summary>What is processed once: a message in one state on one queue (the final states' primary key).</summary>
    private const string Unit = "message_id || ' ' || current_state";
    private static readonly string Processed = $"outcome IN ('{ProcessingOutcomes.Processed}', '{ProcessingOutcomes.ProcessedAgain}')";

    public NpgsqlDataSource Database => database;

    /// <summary>The connection to the broker (for probes that have one).</summary>
    public IConnection Broker => broker ?? throw new InvalidOperationException("This probe was opened without the broker; use ConnectAsync with the messaging connection string.");

    /// <summary>A probe of the database alone.</summary>
    public static RabbitProbe Connect(string databaseConnectionString) =>
        new(NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(databaseConnectionString) { Timeout = 10 }.ConnectionString));

    /// <summary>A probe of the broker and the database.</summary>
    public static async Task<RabbitProbe> ConnectAsync(string messagingConnectionString, string databaseConnectionString, string clientName = "queuelab-lab")
    {
        var connection = await QueueLab.Rabbit.RabbitConnections.Factory(messagingConnectionString, clientName).CreateConnectionAsync().ConfigureAwait(false);
        return new RabbitProbe(NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(databaseConnectionString) { Timeout = 10 }.ConnectionString), connection);
    }

    /// <summary>
    /// Waits until each default work queue has at least <paramref name="perQueue"/> consumers, and the queues together
    /// at least <paramref name="total"/> (phase 3 spreads the consumers over the queues by priority), and the tables exist.
    /// </summary>
    public async Task WaitReadyAsync(int perQueue, int total, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await Poll.UntilAsync(async () =>
        {
            var counts = await ConsumerCountsAsync().ConfigureAwait(false);
            return counts is not null && counts.Values.All(c => c >= perQueue) && counts.Values.Sum() >= total;
        }, timeout, $"{perQueue} or more consumers on each default queue, {total} or more in all", cancellationToken: cancellationToken).ConfigureAwait(false);

        await Poll.UntilAsync(async () =>
        {
            await using var command = database.CreateCommand($"SELECT to_regclass('{LabTables.ProcessingLog}') IS NOT NULL AND to_regclass('{LabTables.FinalStates}') IS NOT NULL");
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, timeout, "the schema manager created pipeline A's tables", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Consumers per default work queue; null while one of them is not declared yet (phase 3 declares them as
    /// consumers are assigned).</summary>
    public async Task<IReadOnlyDictionary<string, long>?> ConsumerCountsAsync()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var queue in LabTopology.DefaultQueues)
        {
            // A passive declare of a missing queue closes the channel: a fresh channel per queue.
            try
            {
                await using var channel = await Broker.CreateChannelAsync().ConfigureAwait(false);
                counts[queue.Name] = (await channel.QueueDeclarePassiveAsync(queue.Name).ConfigureAwait(false)).ConsumerCount;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return null;
            }
        }

        return counts;
    }

    /// <summary>Messages ready (not yet delivered) in the default work queues: the backlog.</summary>
    public async Task<long> BacklogAsync()
    {
        await using var channel = await Broker.CreateChannelAsync().ConfigureAwait(false);
        long total = 0;
        foreach (var queue in LabTopology.DefaultQueues)
        {
            total += (await channel.QueueDeclarePassiveAsync(queue.Name).ConfigureAwait(false)).MessageCount;
        }

        return total;
    }

    /// <summary>The last id of the processing log (0 when empty): a watcher reads the rows after it.</summary>
    public async Task<long> LastLogIdAsync(CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand($"SELECT coalesce(max(id), 0) FROM {LabTables.ProcessingLog}");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Refreshes the processing log's planner statistics. A follower's <c>id &gt; cursor</c> read is planned as a scan of
    /// the whole log until the table has statistics (autovacuum analyzes a new table only after a minute or more), and
    /// a load suite polls it every few milliseconds: measured, 379 sequential scans reading 1.2 million rows during one
    /// 10,000-message burst, all of it PostgreSQL CPU taken from the pipeline being measured. With statistics, the read
    /// is an index range scan (PostgreSQL reads the index's actual end for ids past the last analyze).
    /// </summary>
    public async Task AnalyzeLogAsync(CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand($"ANALYZE {LabTables.ProcessingLog}");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The processings of the messages <paramref name="ids"/> covers, logged after id <paramref name="afterId"/>, in log order.</summary>
    public async Task<IReadOnlyList<LoggedProcessing>> ProcessedAsync(MessageIdPattern ids, long afterId = 0, CancellationToken cancellationToken = default) =>
        (await ProcessedTailAsync(ids, afterId, cancellationToken).ConfigureAwait(false)).Rows;

    /// <summary>
    /// As <see cref="ProcessedAsync"/>, with the transactions the read's snapshot saw still running: every transaction
    /// below <see cref="LogTail.SnapshotXmin"/> had ended, and every one that could still commit had an id below
    /// <see cref="LogTail.SnapshotXmax"/>. A follower of the log uses them to know when no row can appear below an id it
    /// has read past (see <see cref="LogCursor"/>).
    /// </summary>
    public async Task<LogTail> ProcessedTailAsync(MessageIdPattern ids, long afterId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var command = database.CreateCommand(
            $"""
             WITH snapshot AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
                                      pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax)
             SELECT s.xmin, s.xmax, l.id, l.message_id, l.queue_name, coalesce(l.committed_at, l.logged_at)
             FROM snapshot s LEFT JOIN LATERAL (
                 SELECT id, message_id, queue_name, logged_at,
                        CASE WHEN current_setting('track_commit_timestamp') = 'on' THEN pg_xact_commit_timestamp({LabTables.ProcessingLog}.xmin) END AS committed_at
                 FROM {LabTables.ProcessingLog}
                 WHERE id > $1 AND message_id LIKE $2 AND {Processed}) l ON true
             ORDER BY l.id
             """);
        command.Parameters.AddWithValue(afterId);
        command.Parameters.AddWithValue(ids.Pattern);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<LoggedProcessing>();
        long xmin = 0, xmax = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            (xmin, xmax) = (reader.GetInt64(0), reader.GetInt64(1));
            if (!reader.IsDBNull(2))
            {
                rows.Add(new LoggedProcessing(reader.GetInt64(2), new QueuedMessage(reader.GetString(3), reader.GetString(4)), reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        return new LogTail(rows, xmin, xmax);
    }

    /// <summary>The (message, queue) pairs with a final state, for the messages <paramref name="ids"/> covers.</summary>
    public Task<List<QueuedMessage>> FinalStatesAsync(MessageIdPattern ids, CancellationToken cancellationToken = default) =>
        PairsAsync($"SELECT message_id, queue_name FROM {LabTables.FinalStates} WHERE message_id LIKE $1", cancellationToken, ids.Pattern);

    /// <summary>Final states stored for the messages <paramref name="ids"/> covers.</summary>
    public Task<long> FinalStateCountAsync(MessageIdPattern ids, CancellationToken cancellationToken = default) =>
        CountAsync($"SELECT count(*) FROM {LabTables.FinalStates} WHERE message_id LIKE $1", cancellationToken, ids.Pattern);

    /// <summary>Final states stored for exactly these message ids.</summary>
    public Task<long> FinalStateCountAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default) =>
        CountAsync($"SELECT count(*) FROM {LabTables.FinalStates} WHERE message_id = ANY($1)", cancellationToken, (object)messageIds.ToArray());

    /// <summary>The distinct queues the messages <paramref name="ids"/> covers have final states on.</summary>
    public Task<long> FinalStateQueuesAsync(MessageIdPattern ids, CancellationToken cancellationToken = default) =>
        CountAsync($"SELECT count(DISTINCT queue_name) FROM {LabTables.FinalStates} WHERE message_id LIKE $1", cancellationToken, ids.Pattern);

    /// <summary>Processing-log rows of the messages <paramref name="ids"/> covers whose outcome (and detail) match the
    /// <c>LIKE</c> patterns given; <see cref="ProcessedOutcomes"/> counts the processings.</summary>
    public Task<long> LogCountAsync(MessageIdPattern ids, string outcomeLike = "%", string detailLike = "%", CancellationToken cancellationToken = default) =>
        CountAsync($"SELECT count(*) FROM {LabTables.ProcessingLog} WHERE message_id LIKE $1 AND outcome LIKE $2 AND coalesce(detail, '') LIKE $3",
            cancellationToken, ids.Pattern, outcomeLike, detailLike);

    /// <summary>The <c>LIKE</c> pattern of the outcomes that processed a message (<c>processed</c>, <c>processed-again</c>).</summary>
    public const string ProcessedOutcomes = "processed%";

    /// <summary>What the processing log says of one (message, queue): each outcome with its count.</summary>
    public async Task<IReadOnlyDictionary<string, long>> OutcomesAsync(QueuedMessage pair, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return await OutcomeCountsAsync($"SELECT outcome, count(*) FROM {LabTables.ProcessingLog} WHERE message_id = $1 AND queue_name = $2 GROUP BY outcome",
            cancellationToken, pair.MessageId, pair.Queue).ConfigureAwait(false);
    }

    /// <summary>A run's expected pairs against the log (exactly once, or at least once without deduplication) and the final states.</summary>
    public async Task<RabbitRunCheck> CheckRunAsync(MessageIdPattern ids, IReadOnlyList<QueuedMessage> expected, bool exactlyOnce, CancellationToken cancellationToken = default)
    {
        var processed = (await ProcessedAsync(ids, 0, cancellationToken).ConfigureAwait(false)).Select(r => r.Pair).ToList();
        var stored = (await FinalStatesAsync(ids, cancellationToken).ConfigureAwait(false)).ToHashSet();
        var missing = expected.Where(pair => !stored.Contains(pair)).ToList();
        var report = InvariantChecker.Check(expected, processed, exactlyOnce ? VerificationOptions.ExactlyOnce : VerificationOptions.AtLeastOnce);
        return new RabbitRunCheck(report, stored.Count, missing.Count, missing);
    }

    /// <summary>The whole lab's stored outcome (the dashboard's verify).</summary>
    public async Task<RabbitCheck> CheckAsync(int phase, CancellationToken cancellationToken = default)
    {
        // The log's retention deletes whole units older than its cutoff: a final state stored since the cutoff has all of its
        // log, an older one is explained only while its log is still there.
        var finalStates = await PairsAsync(
            $"""
             SELECT {Unit}, queue_name FROM {LabTables.FinalStates} f
             WHERE stored_at >= coalesce((SELECT cutoff FROM {LabTables.Retention} WHERE name = '{LabTables.ProcessingLogRetention}'), '-infinity')
                OR EXISTS (SELECT 1 FROM {LabTables.ProcessingLog} l
                           WHERE l.message_id = f.message_id AND l.current_state = f.current_state AND l.queue_name = f.queue_name)
             ORDER BY stored_at
             """,
            cancellationToken).ConfigureAwait(false);
        var processed = await PairsAsync($"SELECT {Unit}, queue_name FROM {LabTables.ProcessingLog} WHERE {Processed} ORDER BY id", cancellationToken).ConfigureAwait(false);
        var finished = (await PairsAsync($"SELECT {Unit}, queue_name FROM {LabTables.ProcessingLog} WHERE outcome = '{ProcessingOutcomes.DeadLettered}'", cancellationToken)
            .ConfigureAwait(false)).Concat(finalStates).ToHashSet();
        var seen = await PairsAsync($"SELECT DISTINCT {Unit}, queue_name FROM {LabTables.ProcessingLog}", cancellationToken).ConfigureAwait(false);
        var outcomes = await OutcomeCountsAsync($"SELECT outcome, count(*) FROM {LabTables.ProcessingLog} GROUP BY outcome", cancellationToken).ConfigureAwait(false);
        var report = InvariantChecker.Check(finalStates.Distinct().ToList(), processed, phase == 1 ? VerificationOptions.AtLeastOnce : VerificationOptions.ExactlyOnce);
        return new RabbitCheck(phase, report, outcomes, finalStates.Count, seen.Count(p => !finished.Contains(p)));
    }

    private async Task<long> CountAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<List<QueuedMessage>> PairsAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var pairs = new List<QueuedMessage>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pairs.Add(new QueuedMessage(reader.GetString(0), reader.GetString(1)));
        }

        return pairs;
    }

    private async Task<IReadOnlyDictionary<string, long>> OutcomeCountsAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            outcomes[reader.GetString(0)] = reader.GetInt64(1);
        }

        return outcomes;
    }

    public async ValueTask DisposeAsync()
    {
        if (broker is not null)
        {
            await broker.DisposeAsync().ConfigureAwait(false);
        }

        await database.DisposeAsync().ConfigureAwait(false);
    }
}
