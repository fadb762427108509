using System.Diagnostics;
using QueueLab.Lab;
using QueueLab.LoadRunner;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>
/// Follows pipeline B's output from where a run started (<see cref="OutputReader"/>: by seq, so the output's retention may
/// cut the list from its head meanwhile, every 2 ms when idle): completes each run message's task when it comes out,
/// records its stage times from the timestamps it carries, and keeps the seqs it saw in output order, which the run's
/// verification checks (a long soak's output is trimmed behind it, so reading it again afterwards would not see it all).
/// It never consumes the output.
/// </summary>
/// <param name="indexOf">The run's number of an output message (from 0), or -1 when it is not one of the run's.</param>
public sealed class OutputWatcher(IOutputReader reader, Func<SequencedMessage, long> indexOf, long capacity, StageRecorder stages)
{
    /// <summary>A watcher of a run whose message number k is seq <paramref name="firstSeq"/> + k (global order).</summary>
    public OutputWatcher(IOutputReader reader, long firstSeq, long capacity, StageRecorder stages)
        : this(reader, m => m.Seq - firstSeq, capacity, stages)
    {
    }

    public const string QueueWait = "queue wait (processing - created)";
    public const string Processing = "processing (processed - processing)";
    public const string Sequencing = "sequencing (sequenced - processed)";
    public const string EndToEnd = "pipeline (sequenced - created)";

    private readonly TaskCompletionSource[] _done = [.. Enumerable.Range(0, checked((int)capacity))
        .Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];

    private readonly IOutputReader _reader = reader;
    private readonly List<(string? Key, long Seq)> _observed = [];
    private readonly List<long> _arrivals = [];
    private long _completed;
    private long _upToDate;

    /// <summary>Waits until the watcher has read everything the output held when this was called (two reads that found
    /// nothing new since), so <see cref="Observed"/> is as fresh as reading the output again.</summary>
    public Task CaughtUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var from = Interlocked.Read(ref _upToDate);
        return Poll.UntilAsync(() => Interlocked.Read(ref _upToDate) >= from + 2, timeout, "the output watcher reads up to the output's end",
            TimeSpan.FromMilliseconds(2), cancellationToken);
    }

    /// <summary>Every seq seen in the output since the run began, in output order (its own and any other).</summary>
    public IReadOnlyList<long> Observed
    {
        get
        {
            lock (_observed)
            {
                return [.. _observed.Select(o => o.Seq)];
            }
        }
    }

    /// <summary>Every per-key id (<c>key#seq</c>) seen in the output since the run began, in output order (entries without a
    /// key are left out).</summary>
    public IReadOnlyList<string> ObservedIds
    {
        get
        {
            lock (_observed)
            {
                return [.. _observed.Where(o => o.Key is not null).Select(o => QueueLab.Ordering.OrderingKeys.IdOf(o.Key!, o.Seq))];
            }
        }
    }

    /// <summary>How many times the output's retention cut entries before the watcher read them (a run that saw this
    /// cannot prove what it did not see; its verification reports them as missing).</summary>
    public long FellBehind => _reader.FellBehind;

    /// <summary>Stopwatch timestamp when the latest run message was seen in the output.</summary>
    public long LastOutputTimestamp { get; private set; }

    /// <summary>
    /// The longest time the output gave none of the run's messages, among the gaps that end after
    /// <paramref name="timestamp"/> (a stopwatch timestamp: a kill's), counted from the last arrival before it; until the
    /// run's last arrival. Zero when nothing came out after it.
    /// </summary>
    public TimeSpan LongestGapAfter(long timestamp)
    {
        lock (_arrivals)
        {
            var longest = TimeSpan.Zero;
            for (var i = 1; i < _arrivals.Count; i++)
            {
                if (_arrivals[i] > timestamp)
                {
                    var gap = Stopwatch.GetElapsedTime(_arrivals[i - 1], _arrivals[i]);
                    longest = gap > longest ? gap : longest;
                }
            }

            return longest;
        }
    }

    /// <summary>The earliest createdAt and the latest sequencedAt among the run's messages (the pipeline's own clock).</summary>
    public DateTimeOffset? FirstCreated { get; private set; }

    public DateTimeOffset? LastSequenced { get; private set; }

    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Completes when the run's message number <paramref name="index"/> is in the output.</summary>
    public Task Completion(long index) => _done[index].Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var values = await _reader.ReadAsync(5000).ConfigureAwait(false);
                if (values.Length > 0)
                {
                    Take(values, Stopwatch.GetTimestamp());
                    continue;
                }

                Interlocked.Increment(ref _upToDate);

                await Task.Delay(2, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // A dropped connection or a timeout (a chaos run): the reader moved nothing, so read again.
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void Take(RedisValue[] values, long now)
    {
        var arrived = false;
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

            lock (_observed)
            {
                _observed.Add((message.Key, message.Seq));
            }

            var index = indexOf(message);
            if (index < 0 || index >= _done.Length || !_done[index].TrySetResult())
            {
                // Not this run's, or a second copy: the verification reports it.
                continue;
            }

            Interlocked.Increment(ref _completed);
            LastOutputTimestamp = now;
            if (!arrived)
            {
                arrived = true;
                lock (_arrivals)
                {
                    _arrivals.Add(now);
                }
            }

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
