using System.Diagnostics;
using System.Globalization;
using Npgsql;
using QueueLab.Lab.Rabbit;
using QueueLab.LoadRunner;

namespace QueueLab.LoadSuites.Rabbit;

/// <summary>
/// Follows pipeline A's processing log (by its identity id, through a <see cref="LogCursor"/> that knows when rows
/// committing out of id order can no longer appear behind it) for a run's message ids: a message is complete once every queue it was routed to logged it processed (its final state is
/// stored by the same statement). Records the stage from publish confirm to the stored final state.
/// </summary>
public sealed class FinalStateWatcher
{
    public const string ConfirmedToStored = "confirmed -> final state stored";

    private readonly RabbitProbe _probe;
    private readonly string _prefix;
    private readonly StageRecorder _stages;
    private readonly TaskCompletionSource[] _done;
    private readonly int[] _remaining;
    private readonly DateTimeOffset[] _confirmedAt;
    private readonly DateTimeOffset[] _storedAt;
    private readonly Lock _sync = new();
    private readonly HashSet<(long Index, string Queue)> _seen = [];
    private LogCursor _cursor = new(0);

    public FinalStateWatcher(RabbitProbe probe, string prefix, int capacity, StageRecorder stages)
    {
        _probe = probe;
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
        await _probe.AnalyzeLogAsync().ConfigureAwait(false);
        _cursor = new LogCursor(await _probe.LastLogIdAsync().ConfigureAwait(false));
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
                var found = await ReadAsync(full, cancellationToken).ConfigureAwait(false);
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

    private async Task<bool> ReadAsync(bool full, CancellationToken cancellationToken)
    {
        var found = false;
        var now = Stopwatch.GetTimestamp();
        var ids = MessageIdPattern.StartingWith(_prefix + "-");
        IReadOnlyList<LoggedProcessing> rows;
        if (full)
        {
            rows = await _probe.ProcessedAsync(ids, 0, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var tail = await _probe.ProcessedTailAsync(ids, _cursor.After, cancellationToken).ConfigureAwait(false);
            _cursor.Advance(tail);
            rows = tail.Rows;
        }

        foreach (var row in rows)
        {
            var messageId = row.Pair.MessageId;
            if (!long.TryParse(messageId.AsSpan(_prefix.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index < 0 || index >= _done.Length || !_seen.Add((index, row.Pair.Queue)))
            {
                continue;
            }

            found = true;
            lock (_sync)
            {
                if (_confirmedAt[index] != default)
                {
                    _stages.Record(ConfirmedToStored, row.LoggedAt - _confirmedAt[index]);
                }
                else
                {
                    _storedAt[index] = row.LoggedAt;
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
