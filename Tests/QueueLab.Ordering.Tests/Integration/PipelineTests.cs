using System.Diagnostics;
using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>The whole pipeline through the AppHost: real Redis, 3 processors x 8 in flight, 500 ms work, 2 sequencers.</summary>
[Collection(OrderingCollection.Name)]
public sealed class PipelineTests(OrderingFixture lab)
{
    [Fact]
    public async Task Three_hundred_messages_come_out_exactly_once_each_in_order()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var expected = Enumerable.Range(0, 300).Select(i => first + i).ToList();

        await lab.PushAsync(expected.Select(seq => OrderingFixture.Message(seq)));
        var output = await lab.Probe.WaitForOutputAsync(outputStart, expected.Count, TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

        output.Select(m => m.Seq).ShouldBe(expected);
        output.Select(m => m.Payload).ShouldBe(expected.Select(seq => $"payload-{seq}"));
        foreach (var m in output)
        {
            // Every stage stamped, in causal order.
            m.CreatedAt.ShouldNotBeNull();
            m.ProcessingAt.ShouldBeGreaterThanOrEqualTo(m.CreatedAt!.Value.AddMilliseconds(-50));
            (m.ProcessedAt - m.ProcessingAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500), "the work lasts its 500 ms by the precise clock");
            m.SequencingAt.ShouldBeGreaterThanOrEqualTo(m.ProcessedAt.AddMilliseconds(-50));
            m.SequencedAt.ShouldBeGreaterThanOrEqualTo(m.SequencingAt);
        }

        output.Select(m => m.Processor).Distinct().Count().ShouldBe(3, "all three processors share the work");
    }

    [Fact]
    public async Task Burst_of_500_with_500_ms_work_on_3_x_8_finishes_near_the_ideal_time()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var expected = Enumerable.Range(0, 500).Select(i => first + i).ToList();
        var ideal = Math.Ceiling(500 / 24.0) * 0.5;

        var clock = Stopwatch.StartNew();
        await lab.PushAsync(expected.Select(seq => OrderingFixture.Message(seq)));
        var output = await lab.Probe.WaitForOutputAsync(outputStart, expected.Count, TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        var elapsed = clock.Elapsed.TotalSeconds;

        TestContext.Current.TestOutputHelper?.WriteLine($"burst 500 x 500 ms on 3 x 8: {elapsed:0.00} s, ideal {ideal:0.0} s, efficiency {ideal / elapsed:0.000}");
        TestContext.Current.TestOutputHelper?.WriteLine(StageReport.Describe(output));
        output.Select(m => m.Seq).ShouldBe(expected);
        // The time is a figure (the target, efficiency >= 0.95, is the load suites' to measure on a quiet machine); what a
        // test can assert on any machine is the property behind it: every slot of every processor was used at once.
        StageReport.MaxConcurrentProcessing(output).ShouldBe(24, "3 processors x 8 in flight work in parallel");
    }

    [Fact]
    public async Task Messages_left_in_a_dead_processors_in_flight_list_are_reclaimed_and_come_out_once()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var expected = Enumerable.Range(0, 10).Select(i => first + i).ToList();
        var dead = "dead-processor-" + Guid.NewGuid().ToString("N")[..8];

        // A processor that took ten messages and died: registered, messages in flight, no heartbeat.
        await lab.Db.ListRightPushAsync(lab.Keys.InFlight(dead), [.. expected.Select(seq => (StackExchange.Redis.RedisValue)OrderingFixture.Message(seq))]);
        await lab.Db.SetAddAsync(lab.Keys.Processors, dead);
        var output = await lab.Probe.WaitForOutputAsync(outputStart, expected.Count, TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        output.Select(m => m.Seq).ShouldBe(expected);
        (await lab.Db.KeyExistsAsync(lab.Keys.InFlight(dead))).ShouldBeFalse();
        (await lab.Db.SetContainsAsync(lab.Keys.Processors, dead)).ShouldBeFalse();
        (await lab.Db.ListLengthAsync(lab.Keys.Output)).ShouldBe(outputStart + expected.Count, "nothing came out twice");
    }

    [Fact]
    public async Task Bad_input_is_dead_lettered_with_its_reason_while_good_messages_flow_in_order()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var deadLettersBefore = (await lab.Probe.DeadLettersAsync()).Count;
        var good = Enumerable.Range(0, 20).Select(i => first + i).ToList();
        var oversizedSeq = first + 20;
        var after = first + 21;
        var duplicateOf = first + 3;

        var messages = new List<string>();
        foreach (var seq in good)
        {
            messages.Add(OrderingFixture.Message(seq));
            if (seq == duplicateOf)
            {
                messages.Add(OrderingFixture.Message(seq, "an impostor with the same seq"));
            }
        }

        messages.Add("this is not json {");
        messages.Add("""{"payload":"no seq"}""");
        messages.Add("""{"seq":-5,"payload":"negative"}""");
        messages.Add(OrderingFixture.Message(oversizedSeq, new string('x', 5000)));
        messages.Add(OrderingFixture.Message(after));
        await lab.PushAsync(messages);

        List<long> expected = [.. good, after];
        var output = await lab.Probe.WaitForOutputAsync(outputStart, expected.Count, TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        output.Select(m => m.Seq).ShouldBe(expected, "the oversized seq is passed as skipped, the rest in order");
        output.Single(m => m.Seq == duplicateOf).Payload.ShouldBe($"payload-{duplicateOf}", "the first message with a seq is kept");

        var deadLetters = await Poll.ForAsync(async () => (await lab.Probe.DeadLettersAsync()).Skip(deadLettersBefore).ToList(),
            d => d.Count >= 5, TimeSpan.FromSeconds(10), "five dead letters", cancellationToken: TestContext.Current.CancellationToken);
        deadLetters.Select(d => d.Reason).Order().ShouldBe(new[]
        {
            DeadLetterReasons.DuplicateSeq, DeadLetterReasons.InvalidJson, DeadLetterReasons.InvalidSeq,
            DeadLetterReasons.MissingSeq, DeadLetterReasons.PayloadTooLarge,
        }.Order());
        deadLetters.Single(d => d.Reason == DeadLetterReasons.DuplicateSeq).Seq.ShouldBe(duplicateOf);
        var oversized = deadLetters.Single(d => d.Reason == DeadLetterReasons.PayloadTooLarge);
        oversized.Seq.ShouldBe(oversizedSeq);
        oversized.Skipped.ShouldBeTrue();
        (await lab.Db.HashGetAsync(lab.Keys.Skipped, oversizedSeq)).ToString().ShouldBe(DeadLetterReasons.PayloadTooLarge);
        deadLetters.ShouldAllBe(d => !string.IsNullOrWhiteSpace(d.Detail) && d.RawBytes().Length > 0);
    }
}
