using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using QueueLab.LoadRunner;
using Shouldly;
using Xunit;

namespace QueueLab.LoadRunner.Tests;

public sealed class TelemetryAndProgressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_meter_reports_outcomes_and_latency_tagged_by_scenario()
    {
        var name = "meter-" + Guid.NewGuid().ToString("N");
        var counts = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == LoadRunnerTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "scenario") == name)
            {
                counts.AddOrUpdate($"{instrument.Name}/{Tag(tags, "outcome")}", value, (_, n) => n + value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == LoadRunnerTelemetry.LatencyInstrument && Tag(tags, "scenario") == name)
            {
                latencies.Add(value);
            }
        });
        listener.Start();

        var scenario = Scenario.Create(name, (context, _) =>
            ValueTask.FromResult(context.InvocationNumber < 3 ? StepResult.Ok() : StepResult.Fail("no")))
            .WithLoadSimulations(Simulation.Burst(5));
        await ScenarioRunner.RunAsync(scenario, new RunOptions { Progress = ProgressMode.None, MaxConcurrency = 4, DispatchOnThreadPool = false }, Ct);

        LoadRunnerTelemetry.MeterName.ShouldBe("QueueLab.LoadRunner");
        counts.GetValueOrDefault($"{LoadRunnerTelemetry.InvocationsInstrument}/ok").ShouldBe(3);
        counts.GetValueOrDefault($"{LoadRunnerTelemetry.InvocationsInstrument}/failed").ShouldBe(2);
        counts.GetValueOrDefault($"{LoadRunnerTelemetry.InFlightInstrument}/").ShouldBe(0); // +1 and -1 for each
        latencies.Count.ShouldBe(5);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    [Fact]
    public async Task Plain_progress_prints_interval_lines_and_a_final_line()
    {
        using var output = new StringWriter();
        var scenario = Scenario.Create("plain", (_, _) => StepResult.OkTask())
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300)));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await ScenarioRunner.RunAsync(scenario, new RunOptions
        {
            Progress = ProgressMode.Plain,
            Output = output,
            ReportingInterval = TimeSpan.FromMilliseconds(50),
            Thresholds = [Threshold.NoFailures()],
        }, Ct);
        var wall = watch.Elapsed;

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var progress = lines[..^1];
        // About one line a second, although the interval is 50 ms: the ~300 ms run prints its first interval, then the final line.
        progress.Length.ShouldBeGreaterThanOrEqualTo(1);
        progress.Length.ShouldBeLessThanOrEqualTo(1 + (int)wall.TotalSeconds);
        progress.ShouldAllBe(line => line.Contains("plain") && line.Contains("ok=") && line.Contains("p99="));
        lines[^1].ShouldStartWith("load run plain: PASSED thresholds 1/1 | ok=30 failed=0 dropped=0 late=0");
        result.Passed.ShouldBeTrue();
    }

    [Fact]
    public async Task The_final_line_says_failed_and_why()
    {
        using var output = new StringWriter();
        var scenario = Scenario.Create("fails", (_, _) => ValueTask.FromResult(StepResult.Fail("x")))
            .WithLoadSimulations(Simulation.Burst(2));

        await ScenarioRunner.RunAsync(scenario, new RunOptions
        {
            Progress = ProgressMode.Plain,
            Output = output,
            Thresholds = [Threshold.NoFailures()],
        }, Ct);

        output.ToString().ShouldContain("load run fails: FAILED thresholds 0/1 | ok=0 failed=2");
    }
}
