using System.Diagnostics;
using QueueLab.LoadRunner;
using QueueLab.Ordering.Contracts;
using StackExchange.Redis;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>
/// Follows pipeline B's output list from where a run started (LLEN, then LRANGE of the new part, every 2 ms): completes
/// each run message's task when it comes out and records its stage times from the timestamps it carries. It never
/// consumes the output; the verification reads it again afterwards.
/// </summary>
public sealed class OutputWatcher(IDatabase db, RedisKey output, long outputStart, long firstSeq, long capacity, StageRecorder stages)
{
    public const string QueueWait = "queue wait (processing - created)";
    public const string Processing = "processing (processed - processing)";
    public const string Sequencing = "sequencing (sequenced - processed)";
    public const string EndToEnd = "pipeline (sequenced - created)";

    private readonly TaskCompletionSource[] _done = [.. Enumerable.Range(0, checked((int)capacity))
        .Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];

    private long _position = outputStart;
    private long _completed;

    /// <summary>Stopwatch timestamp when the latest run message was seen in the output.</summary>
    public long LastOutputTimestamp { get; private set; }

    /// <summary>The earliest createdAt and the latest sequencedAt among the run's messages (the pipeline's own clock).</summary>
    public DateTimeOffset? FirstCreated { get; private set; }

    public DateTimeOffset? LastSequenced { get; private set; }

    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Completes when the run's message number <paramref name="index"/> (seq firstSeq + index) is in the output.</summary>
    public Task Completion(long index) => _done[index].Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var length = await db.ListLengthAsync(output).ConfigureAwait(false);
                if (length > _position)
                {
                    var values = await db.ListRangeAsync(output, _position, Math.Min(length, _position + 5000) - 1).ConfigureAwait(false);
                    Take(values, Stopwatch.GetTimestamp());
                    _position += values.Length;
                    continue;
                }

                await Task.Delay(2, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RedisException)
            {
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void Take(RedisValue[] values, long now)
    {
        foreach (var value in values)
        {
            SequencedMessage message;
            try
            {
                message = OrderingJson.DeserializeOutput(value!);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }

            var index = message.Seq - firstSeq;
            if (index < 0 || index >= _done.Length || !_done[index].TrySetResult())
            {
                // Not this run's, or a second copy: the verification reports it.
                continue;
            }

            Interlocked.Increment(ref _completed);
            LastOutputTimestamp = now;
            if (message.CreatedAt is { } created)
            {
                stages.Record(QueueWait, message.ProcessingAt - created);
                stages.Record(EndToEnd, message.SequencedAt - created);
                FirstCreated = FirstCreated is { } first && first <= created ? first : created;
            }

            stages.Record(Processing, message.ProcessedAt - message.ProcessingAt);
            stages.Record(Sequencing, message.SequencedAt - message.ProcessedAt);
            LastSequenced = LastSequenced is { } last && last >= message.SequencedAt ? last : message.SequencedAt;
        }
    }
}
