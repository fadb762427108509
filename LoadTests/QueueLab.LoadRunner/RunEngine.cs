using System.Collections.Concurrent;

namespace QueueLab.LoadRunner;

/// <summary>One run: the dispatcher, the closed-model copies, the reporting ticker and the drain.</summary>
internal sealed class RunEngine
{
    private const string AbortedReason = "cancelled: run aborted";
    private static readonly TimeSpan MaxCancelGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinCancelGrace = TimeSpan.FromMilliseconds(20);

    private readonly Scenario _scenario;
    private readonly RunOptions _options;
    private readonly IProgressSink _progress;
    private readonly TimeProvider _time;
    private readonly LoadSchedule _schedule;
    private readonly RunCollector _collector;
    private readonly StageRecorder _stages;
    private readonly ConcurrentDictionary<long, Invocation> _active = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _copies = [];
    private readonly CancellationTokenSource _stopDispatch = new();
    private readonly CancellationTokenSource _cancelInvocations = new();

    private long _startTimestamp;
    private DateTimeOffset _startedAt;
    private long _invocationNumber = -1;
    private int _dispatchDone;
    private string? _abortReason;
    private string _cancelReason = AbortedReason;
    private bool _blockingWaits;

    public RunEngine(Scenario scenario, RunOptions options, IProgressSink progress)
    {
        _scenario = scenario;
        _options = options;
        _progress = progress;
        _time = options.TimeProvider;
        _schedule = LoadSchedule.Build(scenario.Simulations);
        _collector = new RunCollector(scenario.Name);
        _stages = options.Stages ?? new StageRecorder();
    }

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        _startTimestamp = _time.GetTimestamp();
        _startedAt = _time.GetUtcNow();
        var runId = _options.RunId ?? $"{_startedAt:yyyyMMdd-HHmmss}-{ReportNames.Sanitize(_scenario.Name)}";
        using var external = cancellationToken.Register(() => Abort("cancelled"));
        using var tickerStop = new CancellationTokenSource();
        var ticker = RunTickerAsync(tickerStop.Token);
        try
        {
            await DispatchAsync(_stopDispatch.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopDispatch.IsCancellationRequested)
        {
            // Aborted: stop dispatching; the in-flight invocations were cancelled by Abort.
        }
        catch (Exception ex)
        {
            // A fault in the runner itself still ends in a result (marked aborted) rather than leaving invocations behind.
            Abort($"runner error: {ex.GetType().Name}: {ex.Message}");
        }

        Interlocked.Exchange(ref _dispatchDone, 1);
        if (_collector.InFlight == 0)
        {
            _drained.TrySetResult();
        }

        await DrainAsync().ConfigureAwait(false);
        var end = Elapsed();
        await tickerStop.CancelAsync().ConfigureAwait(false);
        await ticker.ConfigureAwait(false);
        if (end > _collector.LastSampleAt || _collector.LastSampleAt == TimeSpan.Zero)
        {
            _collector.Sample(end);
        }

        // Throughput runs to the last completion (or the schedule's end, for trailing pauses), never past the drain.
        var lastActivity = _collector.LastSettled > _schedule.Duration ? _collector.LastSettled : _schedule.Duration;
        var duration = lastActivity < end ? lastActivity : end;

        var result = _collector.Build(_scenario.Name, runId, _startedAt, duration, _schedule, _stages, _abortReason);
        if (_options.Verify is { } verify && !cancellationToken.IsCancellationRequested)
        {
            IInvariantReport verification;
            try
            {
                verification = await verify(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A checker that throws (or is cancelled) fails the run with its error as the text; the result survives.
                verification = VerificationResult.Error(ex);
            }

            result = result.WithVerification(verification);
        }

        result = result.EvaluateThresholds(_options.Thresholds);
        _stopDispatch.Dispose();
        _cancelInvocations.Dispose();
        return result;
    }

    private TimeSpan Elapsed() => _time.GetElapsedTime(_startTimestamp);

    private string LateReason => $"late (more than {Formatting.Duration(_options.LatenessTolerance)} behind schedule)";

    // On the system clock the dispatcher gets a thread of its own and waits by blocking on it, so a busy thread pool
    // (the scenario's own continuations, the system under test in the same process) cannot delay the schedule; the
    // invocations themselves still run on the pool. Any other clock (a fake one in tests) uses timer-based awaits.
    private Task DispatchAsync(CancellationToken token)
    {
        if (!ReferenceEquals(_time, TimeProvider.System))
        {
            return DispatchCoreAsync(token);
        }

        _blockingWaits = true;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                DispatchCoreAsync(token).GetAwaiter().GetResult();
                done.TrySetResult();
            }
            catch (OperationCanceledException ex)
            {
                done.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "QueueLab.LoadRunner dispatcher",
        };
        thread.Start();
        return done.Task;
    }

    private async Task DispatchCoreAsync(CancellationToken token)
    {
        foreach (var phase in _schedule.Phases)
        {
            await WaitUntilAsync(phase.Start, token).ConfigureAwait(false);
            if (phase.Simulation is KeepConstantSimulation keep)
            {
                for (var copy = 0; copy < keep.Copies; copy++)
                {
                    var copyNumber = copy;
                    _copies.Add(Task.Run(() => RunCopyAsync(phase, copyNumber, token), CancellationToken.None));
                }

                continue;
            }

            foreach (var intended in LoadSchedule.Arrivals(phase))
            {
                await WaitUntilAsync(intended, token).ConfigureAwait(false);
                var now = Elapsed();
                var lateness = now - intended;
                var late = lateness > _options.LatenessTolerance;
                if (late && _options.LatePolicy == LatePolicy.Drop)
                {
                    _collector.OnDropped(LateReason, now, late: true);
                    continue;
                }

                if (_collector.InFlight >= _options.MaxConcurrency)
                {
                    _collector.OnDropped($"max concurrency ({_options.MaxConcurrency}) reached", now, late);
                    continue;
                }

                var invocation = Begin(phase.Index, null, intended, now, lateness, late);
                if (_options.DispatchOnThreadPool)
                {
                    _ = Task.Run(() => ExecuteAsync(invocation), CancellationToken.None);
                }
                else
                {
                    _ = ExecuteAsync(invocation);
                }
            }
        }

        await WaitUntilAsync(_schedule.Duration, token).ConfigureAwait(false);
    }

    private ValueTask WaitUntilAsync(TimeSpan target, CancellationToken token)
    {
        if (!_blockingWaits)
        {
            return new ValueTask(WaitWithTimerAsync(target, token));
        }

        token.ThrowIfCancellationRequested();
        var now = Elapsed();
        while (target > now)
        {
            // Whole milliseconds, rounded up: never early; at high rates several arrivals are due per wake-up.
            var milliseconds = (int)Math.Min(int.MaxValue - 1, Math.Ceiling((target - now).TotalMilliseconds));
            _options.OnDispatcherWaiting?.Invoke(target);
            if (token.WaitHandle.WaitOne(milliseconds))
            {
                token.ThrowIfCancellationRequested();
            }

            now = Elapsed();
        }

        return ValueTask.CompletedTask;
    }

    private async Task WaitWithTimerAsync(TimeSpan target, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        var now = Elapsed();
        while (target > now)
        {
            var delay = Task.Delay(target - now, _time, token);
            _options.OnDispatcherWaiting?.Invoke(target);
            await delay.ConfigureAwait(false);
            now = Elapsed();
        }
    }

    // One closed-model copy. Its first invocation is due at the step's start, each next one the moment the previous
    // completes; latency runs from there, so a copy the runner starts late (a busy thread pool) still shows it.
    private async Task RunCopyAsync(SchedulePhase phase, int copy, CancellationToken token)
    {
        var due = phase.Start;
        while (!token.IsCancellationRequested && due < phase.End)
        {
            var now = Elapsed();
            var lateness = now - due;
            var late = lateness > _options.LatenessTolerance;
            if (late && _options.LatePolicy == LatePolicy.Drop)
            {
                _collector.OnDropped(LateReason, now, late: true);
                due = now;
                continue;
            }

            await ExecuteAsync(Begin(phase.Index, copy, due, now, lateness, late)).ConfigureAwait(false);
            due = Elapsed();
        }
    }

    private Invocation Begin(int phase, int? copy, TimeSpan intended, TimeSpan actual, TimeSpan lateness, bool late)
    {
        var number = Interlocked.Increment(ref _invocationNumber);
        var context = new ScenarioContext(_scenario.Name, number, phase, copy, _startedAt, intended, actual, _stages);
        var invocation = new Invocation(context);
        _active[number] = invocation;
        _collector.OnStarted(lateness, late);
        return invocation;
    }

    private async Task ExecuteAsync(Invocation invocation)
    {
        StepResult result;
        CancellationTokenSource? timeout = null;
        CancellationTokenSource? linked = null;
        var token = _cancelInvocations.Token;
        try
        {
            if (_options.InvocationTimeout is { } limit)
            {
                timeout = new CancellationTokenSource(limit, _time);
                linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
                token = linked.Token;
            }

            result = await _scenario.Step(invocation.Context, token).ConfigureAwait(false);
            if (timeout?.IsCancellationRequested == true)
            {
                result = StepResult.Fail("timeout");
            }
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true)
        {
            result = StepResult.Fail("timeout");
        }
        catch (OperationCanceledException) when (_cancelInvocations.IsCancellationRequested)
        {
            result = StepResult.Fail(_cancelReason);
        }
        catch (Exception ex)
        {
            result = StepResult.Fail(ex.GetType().Name);
        }
        finally
        {
            linked?.Dispose();
            timeout?.Dispose();
        }

        Settle(invocation, result);
    }

    private void Settle(Invocation invocation, StepResult result)
    {
        if (!invocation.TrySettle())
        {
            return;
        }

        _active.TryRemove(invocation.Context.InvocationNumber, out _);
        var now = Elapsed();
        var latency = now - invocation.Context.IntendedOffset;
        var inFlight = _collector.OnSettled(result, latency < TimeSpan.Zero ? TimeSpan.Zero : latency, now);
        if (inFlight == 0 && Volatile.Read(ref _dispatchDone) == 1)
        {
            _drained.TrySetResult();
        }
    }

    private async Task DrainAsync()
    {
        var all = Task.WhenAll(_drained.Task, Task.WhenAll(_copies));
        if (_abortReason is null)
        {
            try
            {
                await all.WaitAsync(_options.DrainTimeout, _time).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
                _cancelReason = $"cancelled: unfinished after the {Formatting.Duration(_options.DrainTimeout)} drain timeout";
            }
        }

        await _cancelInvocations.CancelAsync().ConfigureAwait(false);
        try
        {
            // Give cancelled invocations a moment to finish: as long as the drain timeout, within [20 ms, 1 s].
            var grace = _options.DrainTimeout < MinCancelGrace ? MinCancelGrace
                : _options.DrainTimeout > MaxCancelGrace ? MaxCancelGrace
                : _options.DrainTimeout;
            await all.WaitAsync(grace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Invocations that ignore cancellation are settled below as unfinished; their late completion is ignored.
        }

        foreach (var invocation in _active.Values)
        {
            Settle(invocation, StepResult.Fail(_cancelReason));
        }
    }

    private void Abort(string reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, reason, null) is not null)
        {
            return;
        }

        try
        {
            _stopDispatch.Cancel();
            _cancelInvocations.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run already finished.
        }
    }

    private async Task RunTickerAsync(CancellationToken token)
    {
        var checkDuringRun = _options.Thresholds.Where(t => t.CheckDuringRun).ToList();
        using var timer = new PeriodicTimer(_options.ReportingInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var now = Elapsed();
                var point = _collector.Sample(now);
                try
                {
                    _progress.Report(_collector.Progress(_scenario.Name, now, _schedule, point));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A broken display (a closed terminal) must not lose the run; the final line still follows.
                }

                if (checkDuringRun.Count > 0 && _abortReason is null)
                {
                    var snapshot = _collector.Build(_scenario.Name, "live", _startedAt, now, _schedule, _stages, null);
                    var breach = checkDuringRun
                        .Where(t => t.CanEvaluateDuringRun(snapshot))
                        .Select(t => t.Evaluate(snapshot))
                        .FirstOrDefault(r => !r.Passed);
                    if (breach is not null)
                    {
                        Abort($"threshold breached during the run: {breach.Description} (actual {breach.Actual})");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private sealed class Invocation(ScenarioContext context)
    {
        private int _settled;

        public ScenarioContext Context { get; } = context;

        public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;
    }
}
