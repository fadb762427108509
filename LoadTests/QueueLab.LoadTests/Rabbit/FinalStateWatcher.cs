using System.Diagnostics;
using System.Globalization;
using Npgsql;
using QueueLab.LoadRunner;
using QueueLab.Messaging;

namespace QueueLab.LoadTests.Rabbit;

/// <summary>
/// Follows pipeline A's processing log (by its identity id, with an overlap for rows that commit out of id order) for a
/// run's message ids: a message is complete once every queue it was routed to logged it processed (its final state is
/// stored by the same statement). Records the stage from publish confirm to the stored final state.
/// </summary>
public sealed class FinalStateWatcher
{
    public const string ConfirmedToStored = "confirmed -> final state stored";
    private const long Overlap = 5000;

    private readonly NpgsqlDataSource _database;
    private readonly string _prefix;
    private readonly StageRecorder _stages;
    private readonly TaskCompletionSource[] _done;
    private readonly int[] _remaining;
    private readonly DateTimeOffset[] _confirmedAt;
    private readonly DateTimeOffset[] _storedAt;
    private readonly Lock _sync = new();
    private readonly HashSet<(long Index, string Queue)> _seen = [];
    private long _cursor;

    public FinalStateWatcher(NpgsqlDataSource database, string prefix, int capacity, StageRecorder stages)
    {
        _database = database;
        _prefix = prefix;
        _stages = stages;
        _done = [.. Enumerable.Range(0, capacity).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        _remaining = [.. Enumerable.Range(0, capacity).Select(i => RabbitSettings.QueuesFor(i).Count)];
        _confirmedAt = new DateTimeOffset[capacity];
        _storedAt = new DateTimeOffset[capacity];
    }

    /// <summary>Stopwatch timestamp when the latest message completed.</summary>
    public long LastCompletionTimestamp { get; private set; }

    public Task Completion(long index) => _done[index].Task;

    /// <summary>Notes the confirm time; a final state seen before the confirm came back is recorded now (as about 0).</summary>
    public void Confirmed(long index, DateTimeOffset at)
    {
        lock (_sync)
        {
            _confirmedAt[index] = at;
            if (_storedAt[index] != default)
            {
                _stages.Record(ConfirmedToStored, _storedAt[index] - at);
            }
        }
    }

    public async Task StartAsync()
    {
        await using var command = _database.CreateCommand($"SELECT coalesce(max(id), 0) FROM {LabTables.ProcessingLog}");
        _cursor = (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var idleSince = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // After a quiet second with messages outstanding, read the whole run once: nothing can hide behind the cursor.
                var full = Stopwatch.GetElapsedTime(idleSince) > TimeSpan.FromSeconds(1);
                var found = await ReadAsync(full ? 0 : Math.Max(0, _cursor - Overlap), cancellationToken).ConfigureAwait(false);
                if (found || full)
                {
                    idleSince = Stopwatch.GetTimestamp();
                }

                await Task.Delay(found ? 10 : 25, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException)
            {
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> ReadAsync(long after, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(
            $"SELECT id, message_id, queue_name, logged_at FROM {LabTables.ProcessingLog} " +
            $"WHERE id > $1 AND message_id LIKE $2 AND outcome IN ('{ProcessingOutcomes.Processed}', '{ProcessingOutcomes.ProcessedAgain}') ORDER BY id");
        command.Parameters.AddWithValue(after);
        command.Parameters.AddWithValue(_prefix + "-%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var found = false;
        var now = Stopwatch.GetTimestamp();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetInt64(0);
            _cursor = Math.Max(_cursor, id);
            var messageId = reader.GetString(1);
            if (!long.TryParse(messageId.AsSpan(_prefix.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index < 0 || index >= _done.Length || !_seen.Add((index, reader.GetString(2))))
            {
                continue;
            }

            found = true;
            var loggedAt = reader.GetFieldValue<DateTimeOffset>(3);
            lock (_sync)
            {
                if (_confirmedAt[index] != default)
                {
                    _stages.Record(ConfirmedToStored, loggedAt - _confirmedAt[index]);
                }
                else
                {
                    _storedAt[index] = loggedAt;
                }
            }

            if (--_remaining[index] == 0 && _done[index].TrySetResult())
            {
                LastCompletionTimestamp = now;
            }
        }

        return found;
    }
}
