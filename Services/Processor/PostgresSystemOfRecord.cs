using System.Threading.Channels;
using Npgsql;
using QueueLab.Ordering.Contracts;

namespace QueueLab.Processor;

/// <summary>
/// A PostgreSQL table keyed by seq; the first record of a seq wins (<c>ON CONFLICT DO NOTHING</c>), so a message
/// processed twice (after a reclaim) is recorded once. Records of messages that finish together are written in
/// one statement and one commit (one WAL flush for the batch, not one per message); each caller returns only
/// once its record is committed. The table is created idempotently on first use. Per key, the records go to a table of
/// their own, <see cref="KeyedTable"/>, keyed by (key, seq).
/// </summary>
public sealed class PostgresSystemOfRecord : ISystemOfRecord, IAsyncDisposable
{
    public const string Table = "ordering_records";

    /// <summary>The table of per-key mode: one record per (key, seq).</summary>
    public const string KeyedTable = "ordering_keyed_records";

    private const int MaxBatch = 256;

    private readonly Channel<PendingRecord> _pending = Channel.CreateUnbounded<PendingRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> _writer;
    private bool _schemaReady;

    private readonly NpgsqlDataSource _dataSource;

    private readonly bool _keyed;

    public PostgresSystemOfRecord(NpgsqlDataSource dataSource, QueueLab.Ordering.OrderingMode mode = QueueLab.Ordering.OrderingMode.Global)
    {
        _dataSource = dataSource;
        _keyed = mode == QueueLab.Ordering.OrderingMode.PerKey;
        _writer = new Lazy<Task>(() => Task.Run(() => WriteLoopAsync(dataSource)));
    }

    public bool RecordedByCompletionScript => false;

    public async Task RecordAsync(ProcessedResult result, string body, CancellationToken cancellationToken)
    {
        var pending = new PendingRecord(result.Seq, body, result.Processor, result.Key ?? "");
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(PostgresSystemOfRecord));
        }

        _ = _writer.Value;
        await pending.Committed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync(NpgsqlDataSource source)
    {
        var batch = new List<PendingRecord>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await EnsureTableAsync(source).ConfigureAwait(false);
                await InsertAsync(source, batch).ConfigureAwait(false);
                batch.ForEach(r => r.Committed.TrySetResult());
            }
            catch (PostgresException ex) when (InfrastructureRetry.IsDataError(ex) && batch.Count > 1)
            {
                // One bad record never fails the others: write them one by one, and refuse only the ones PostgreSQL refuses.
                foreach (var record in batch)
                {
                    await InsertOneAsync(source, record).ConfigureAwait(false);
                }
            }
            catch (PostgresException ex) when (InfrastructureRetry.IsDataError(ex))
            {
                batch[0].Committed.TrySetException(new RecordRejectedException(batch[0].Seq, $"{ex.SqlState}: {ex.MessageText}", ex));
            }
            catch (Exception ex)
            {
                // Each caller retries (its message stays in flight until recorded).
                batch.ForEach(r => r.Committed.TrySetException(ex));
            }
        }
    }

    private async Task InsertAsync(NpgsqlDataSource source, IReadOnlyList<PendingRecord> records)
    {
        await using var command = source.CreateCommand(_keyed
            ? $"INSERT INTO {KeyedTable} (key, seq, body, processor) SELECT k, s, b::jsonb, p FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS r(s, b, p, k) "
                + "ON CONFLICT (key, seq) DO NOTHING"
            : $"INSERT INTO {Table} (seq, body, processor) SELECT s, b::jsonb, p FROM unnest($1::bigint[], $2::text[], $3::text[]) AS r(s, b, p) "
                + "ON CONFLICT (seq) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. records.Select(r => r.Seq)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Body)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Processor)] });
        if (_keyed)
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Key)] });
        }

        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task InsertOneAsync(NpgsqlDataSource source, PendingRecord record)
    {
        try
        {
            await InsertAsync(source, [record]).ConfigureAwait(false);
            record.Committed.TrySetResult();
        }
        catch (PostgresException ex) when (InfrastructureRetry.IsDataError(ex))
        {
            record.Committed.TrySetException(new RecordRejectedException(record.Seq, $"{ex.SqlState}: {ex.MessageText}", ex));
        }
        catch (Exception ex)
        {
            record.Committed.TrySetException(ex);
        }
    }

    /// <summary>Creates the table (if needed) before the first message, so the first records do not pay for it.</summary>
    public Task EnsureReadyAsync(CancellationToken cancellationToken) => EnsureTableAsync(_dataSource, cancellationToken);

    private async Task EnsureTableAsync(NpgsqlDataSource source, CancellationToken cancellationToken = default)
    {
        if (_schemaReady)
        {
            return;
        }

        await using var command = source.CreateCommand(_keyed
            ? $"CREATE TABLE IF NOT EXISTS {KeyedTable} (key text NOT NULL, seq bigint NOT NULL, body jsonb NOT NULL, processor text NOT NULL, "
                + "recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (key, seq))"
            : $"CREATE TABLE IF NOT EXISTS {Table} (seq bigint PRIMARY KEY, body jsonb NOT NULL, processor text NOT NULL, "
                + "recorded_at timestamptz NOT NULL DEFAULT now())");
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another processor created it at the same moment (CREATE ... IF NOT EXISTS is not race-free).
        }

        _schemaReady = true;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        if (_writer.IsValueCreated)
        {
            await _writer.Value.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private sealed record PendingRecord(long Seq, string Body, string Processor, string Key)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
