using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Trace;
using QueueLab.Telemetry;
using Shouldly;

namespace QueueLab.ServiceDefaults.Tests;

public sealed class TraceSamplingTests
{
    private static readonly ActivityContext NoParent = default;

    private static readonly ActivityContext SampledParent =
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

    private static readonly ActivityContext UnsampledParent =
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);

    private static SamplingDecision Decide(Sampler sampler, ActivityContext parent, ActivityKind kind, string name = "span") =>
        sampler.ShouldSample(new SamplingParameters(parent, ActivityTraceId.CreateRandom(), name, kind)).Decision;

    private static Sampler FromSettings(params (string Key, string Value)[] settings) =>
        TraceSampling.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build());

    [Fact]
    public void A_client_call_outside_any_operation_starts_no_trace_but_one_inside_a_sampled_operation_is_kept()
    {
        var sampler = FromSettings((TraceSampling.Key, "-1"));

        Decide(sampler, NoParent, ActivityKind.Client, "EVALSHA").ShouldBe(SamplingDecision.Drop);
        Decide(sampler, SampledParent, ActivityKind.Client, "EVALSHA").ShouldBe(SamplingDecision.RecordAndSample);
        Decide(sampler, UnsampledParent, ActivityKind.Client, "EVALSHA").ShouldBe(SamplingDecision.Drop);
    }

    [Theory]
    [InlineData(ActivityKind.Consumer)]
    [InlineData(ActivityKind.Producer)]
    [InlineData(ActivityKind.Server)]
    [InlineData(ActivityKind.Internal)]
    public void An_operation_without_a_parent_starts_a_trace(ActivityKind kind)
    {
        Decide(FromSettings((TraceSampling.Key, "-1")), NoParent, kind).ShouldBe(SamplingDecision.RecordAndSample);
    }

    [Fact]
    public void Housekeeping_traces_come_back_when_asked_for()
    {
        var sampler = FromSettings((TraceSampling.Key, "-1"), (TraceSampling.HousekeepingKey, "true"));

        Decide(sampler, NoParent, ActivityKind.Client).ShouldBe(SamplingDecision.RecordAndSample);
    }

    [Fact]
    public void The_rate_limit_starts_one_trace_per_interval_and_no_burst()
    {
        var time = new FakeTimeProvider();
        var sampler = new ParentBasedSampler(new OperationRootSampler(new RateLimitedSampler(10, time)));

        Decide(sampler, NoParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.RecordAndSample);
        Decide(sampler, NoParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.Drop);
        // A child of the sampled operation is kept whatever the rate.
        Decide(sampler, SampledParent, ActivityKind.Client).ShouldBe(SamplingDecision.RecordAndSample);

        time.Advance(TimeSpan.FromMilliseconds(99));
        Decide(sampler, NoParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.Drop);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Decide(sampler, NoParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.RecordAndSample);

        // A long quiet spell does not bank traces for a burst.
        time.Advance(TimeSpan.FromSeconds(10));
        Decide(sampler, NoParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.RecordAndSample);
        Decide(sampler, NoParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.Drop);
    }

    [Fact]
    public void Zero_starts_no_trace_but_continues_a_producer_s_sampled_one()
    {
        var sampler = FromSettings((TraceSampling.Key, "0"));

        Decide(sampler, NoParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.Drop);
        Decide(sampler, SampledParent, ActivityKind.Consumer).ShouldBe(SamplingDecision.RecordAndSample);
    }

    [Theory]
    [InlineData(TraceSampling.Key, "fast", "number of traces per second")]
    [InlineData(TraceSampling.Key, "-2", "number of traces per second")]
    [InlineData(TraceSampling.HousekeepingKey, "yes", "true or false")]
    public void A_bad_setting_fails_with_what_to_give_instead(string key, string value, string expected)
    {
        var error = Should.Throw<InvalidOperationException>(() => FromSettings((key, value)));

        error.Message.ShouldContain(key);
        error.Message.ShouldContain(expected);
    }
}
