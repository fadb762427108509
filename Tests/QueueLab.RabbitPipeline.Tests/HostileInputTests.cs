using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using QueueLab.Consumer;
using QueueLab.Rabbit;
using RabbitMQ.Client;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary>
/// Pipeline A's input contract through the running lab: every delivery, whatever its headers and bytes, is processed
/// once or dead-lettered once with the consumer's reason, and the good messages published around it flow on. The
/// same tests run on quorum queues and on classic queues, which have no delivery limit to stop a loop.
/// </summary>
public abstract class HostileInputTests(RabbitLabFixture lab)
{
    private const string Queue = "queue-1";
    private const string InvalidHeader = "invalid-header";
    private const string MissingHeader = "missing-header";
    private const string UnknownTransition = "unknown-transition";
    private const string UnparseableBody = "unparseable-body";
    private const string OversizedBody = "oversized-body";
    private const string DataError = "data-error";
    private const string RetriesExhausted = "retries-exhausted";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One hostile delivery and how it must end: dead-lettered with <see cref="Reason"/> (logged under
    /// <see cref="LogId"/> when it has a usable id), or processed once as <see cref="ProcessedAs"/>.</summary>
    private sealed record Case(string Name, Dictionary<string, object?>? Headers, byte[] Body, string? Reason, string? LogId, string? ProcessedAs);

    [Fact]
    public async Task Every_hostile_delivery_ends_processed_once_or_dead_lettered_once_with_its_reason_while_good_messages_flow_around_it()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var cases = Cases(run);
        var good = new List<string>();
        await using var channel = await ConfirmChannelAsync();
        for (var i = 0; i < cases.Count; i++)
        {
            good.Add(await PublishGoodAsync(channel, $"good-{run}-{i}a"));
            await PublishAsync(channel, cases[i].Headers, cases[i].Body, $"{run}:{cases[i].Name}");
            good.Add(await PublishGoodAsync(channel, $"good-{run}-{i}b"));
        }

        var expectedDead = cases.Where(c => c.Reason is not null).ToDictionary(c => $"{run}:{c.Name}");
        var processed = cases.Select(c => c.ProcessedAs).OfType<string>().Concat(good).ToArray();
        var dead = await AwaitOutcomesAsync(channel, run, [.. expectedDead.Keys], processed);

        foreach (var (tag, c) in expectedDead)
        {
            dead[tag].Count.ShouldBe(1, $"{c.Name} is dead-lettered exactly once");
            var headers = dead[tag][0].Headers;
            HeaderValues.GetString(headers, MessageHeaders.DeadLetterReason).ShouldBe(c.Reason, c.Name);
            HeaderValues.GetString(headers, MessageHeaders.DeadLetterDetail).ShouldNotBeNullOrWhiteSpace(c.Name);
            HeaderValues.GetString(headers, MessageHeaders.OriginalQueue).ShouldBe(Queue, c.Name);
        }

        var oversized = dead[$"{run}:headers-over-64-kib"][0].Headers;
        HeaderValues.GetString(oversized, MessageHeaders.HeadersDropped).ShouldNotBeNull("a copy of 120 KB of headers plus the consumer's would not fit a frame");
        HeaderValues.GetString(oversized, MessageHeaders.MessageId).ShouldBe($"headers-over-64-kib-{run}", "the pipeline's own small headers stay");
        dead.Keys.Except(expectedDead.Keys).ShouldBeEmpty("what the contract accepts is processed, not dead-lettered");
        foreach (var c in expectedDead.Values.Where(c => c.LogId is not null))
        {
            (await lab.LogCountAsync(c.LogId!, ProcessingOutcomes.DeadLettered)).ShouldBe(1, $"{c.Name}: one dead-lettering in the log");
            (await lab.LogCountAsync(c.LogId!, ProcessingOutcomes.Retried)).ShouldBe(0, $"{c.Name}: bad input is never retried");
        }

        foreach (var id in processed)
        {
            (await lab.LogCountAsync(id, "processed%")).ShouldBe(1, $"{Shorten(id)} is processed once");
        }
    }

    [Fact]
    public async Task A_row_PostgreSQL_rejects_is_dead_lettered_at_once_and_the_messages_batched_with_it_are_stored()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        string[] dataErrors = ["22021", "22P05", "22P02", "23514"];
        var rejected = dataErrors.ToDictionary(code => $"reject-{code}-{run}", code => code);
        var failing = $"reject-P0001-{run}";
        var good = new List<string>();
        await InstallRejectTriggerAsync();
        try
        {
            await using var channel = await ConfirmChannelAsync();
            var bad = new Queue<string>([.. rejected.Keys, failing]);
            for (var i = 0; i < 100; i++)
            {
                // The rejected ones in the middle of a burst, so they share batched statements with good ones.
                if (i % 16 == 8 && bad.TryDequeue(out var id))
                {
                    await PublishAsync(channel, MessageFactory.Headers(id, StateTransitions.Validate), MessageFactory.Body(new MessageBody("x")), $"{run}:{id}");
                }

                good.Add(await PublishGoodAsync(channel, $"batched-{run}-{i}"));
            }

            var dead = await AwaitOutcomesAsync(channel, run, [.. rejected.Keys.Append(failing).Select(id => $"{run}:{id}")], [.. good]);

            foreach (var (id, code) in rejected)
            {
                dead[$"{run}:{id}"].Count.ShouldBe(1, $"{id} is dead-lettered exactly once");
                var headers = dead[$"{run}:{id}"][0].Headers;
                HeaderValues.GetString(headers, MessageHeaders.DeadLetterReason).ShouldBe(DataError, id);
                HeaderValues.GetString(headers, MessageHeaders.DeadLetterDetail).ShouldNotBeNull().ShouldContain(code);
                (await lab.LogCountAsync(id, ProcessingOutcomes.Retried)).ShouldBe(0, $"{id}: a data error is not retried");
                (await lab.LogCountAsync(id, ProcessingOutcomes.DeadLettered)).ShouldBe(1, id);
                (await lab.FinalStateCountAsync(id)).ShouldBe(0, id);
            }

            dead[$"{run}:{failing}"].Count.ShouldBe(1, "a server error that is not a data error is dead-lettered once, after its retries");
            HeaderValues.GetString(dead[$"{run}:{failing}"][0].Headers, MessageHeaders.DeadLetterReason).ShouldBe(RetriesExhausted);
            (await lab.LogCountAsync(failing, ProcessingOutcomes.Retried)).ShouldBe(RabbitLabFixture.MaxRetries, "it is retried a bounded number of times");
            dead.Keys.Count(k => k.StartsWith("batched-", StringComparison.Ordinal)).ShouldBe(0, "no good message fails with a bad neighbour");
        }
        finally
        {
            await RemoveRejectTriggerAsync();
        }
    }

    [Fact]
    public async Task A_batch_with_rows_PostgreSQL_refuses_stores_the_others_and_fails_only_the_refused_ones()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        string[] ids = [$"row-{run}-1", $"reject-22021-{run}", $"row-{run}-2", $"reject-23514-{run}", $"row-{run}-3"];
        var store = new FinalStateStore(lab.Probe.Database, Options.Create(new ConsumerOptions { ConsumerId = $"batch-test-{run}" }));
        await InstallRejectTriggerAsync();
        try
        {
            // The first store starts a flush on its own; the others queue behind its round trip and go as one batch.
            var first = store.StoreAsync(State($"row-{run}-0"), Ct);
            var batch = ids.Select(id => (Id: id, Stored: store.StoreAsync(State(id), Ct))).ToList();
            (await first).ShouldBeTrue();
            foreach (var (id, stored) in batch)
            {
                if (id.StartsWith("reject-", StringComparison.Ordinal))
                {
                    (await Should.ThrowAsync<PostgresException>(stored)).SqlState.ShouldBe(id.Split('-')[1]);
                }
                else
                {
                    (await stored).ShouldBeTrue($"{id} is stored although its batch had refused rows");
                }
            }

            (await lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith($"row-{run}-"), Ct)).ShouldBe(4);
        }
        finally
        {
            await RemoveRejectTriggerAsync();
        }

        FinalState State(string id) => new(id, StateTransitions.Validate.Current, StateTransitions.Validate.Next, Queue, null);
    }

    [Fact]
    public async Task Dropped_PostgreSQL_connections_are_retried_in_place_neither_counted_as_a_failure_nor_dead_lettered()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var good = new List<string>();
        await using var transient = new LogWatch(lab, ResourceNames.Consumer, $"drop-{run}");
        await using var channel = await ConfirmChannelAsync();
        for (var i = 0; i < 150; i++)
        {
            good.Add(await PublishGoodAsync(channel, $"drop-{run}-{i}"));
            if (i == 50)
            {
                var dropped = await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Postgres, Ct);
                dropped.Detail.ShouldNotStartWith("0 ", customMessage: "the consumers held PostgreSQL connections to lose");
                lab.Probe.Database.Clear();
            }
        }

        var dead = await AwaitOutcomesAsync(channel, run, [], [.. good]);
        TestContext.Current.TestOutputHelper?.WriteLine($"{transient.Lines.Count} handlings failed on a dropped connection and were tried again in place");
        transient.Lines.ShouldNotBeEmpty("the dropped connections failed some handling (else this test proves nothing)");
        transient.Lines.ShouldAllBe(line => line.Contains(": Transient, attempt"), "every failure they caused was taken as transient");
        dead.ShouldBeEmpty("a lost connection is not the message's fault");
        var drops = MessageIdPattern.StartingWith($"drop-{run}-");
        (await lab.Probe.LogCountAsync(drops, cancellationToken: Ct) - await lab.Probe.LogCountAsync(drops, ProcessingOutcomes.Processed, cancellationToken: Ct))
            .ShouldBe(0, "no retry, duplicate or dead letter: each message was processed once");
    }

    /// <summary>Waits until every tag in <paramref name="deadTags"/> is in the DLQ and every id in <paramref name="stored"/> has
    /// its final state, then until the queue and its delay queues are empty; returns this run's dead letters by tag (the
    /// AMQP message-id property: a case's tag, or a good message's id).</summary>
    private async Task<Dictionary<string, List<IReadOnlyBasicProperties>>> AwaitOutcomesAsync(
        IChannel channel, string run, IReadOnlyCollection<string> deadTags, string[] stored)
    {
        var dead = new Dictionary<string, List<IReadOnlyBasicProperties>>();
        await Poll.UntilAsync(async () =>
        {
            await DrainDeadLettersAsync(channel, run, dead);
            return deadTags.All(dead.ContainsKey) && await lab.Probe.FinalStateCountAsync(stored, Ct) == stored.Length;
        }, Timeout, $"{deadTags.Count} deliveries are dead-lettered and {stored.Length} stored", cancellationToken: TestContext.Current.CancellationToken);
        await Poll.UntilAsync(async () => await lab.WaitingAsync(Queue) == 0, Timeout, $"{Queue} and its delay queues are drained", cancellationToken: TestContext.Current.CancellationToken);
        await DrainDeadLettersAsync(channel, run, dead);
        return dead;
    }

    private static async Task DrainDeadLettersAsync(IChannel channel, string run, Dictionary<string, List<IReadOnlyBasicProperties>> dead)
    {
        while (await channel.BasicGetAsync(LabTopology.DeadLetterQueue(Queue), autoAck: true, Ct) is { } result)
        {
            if (result.BasicProperties.MessageId is { } tag && tag.Contains(run, StringComparison.Ordinal))
            {
                (dead.TryGetValue(tag, out var copies) ? copies : dead[tag] = []).Add(result.BasicProperties);
            }
        }
    }

    private static List<Case> Cases(string run)
    {
        var body = MessageFactory.Body(new MessageBody("hostile"));
        var longId = $"max-{run}-";
        longId += new string('m', 1024 - longId.Length);

        Dictionary<string, object?> Headers(string id, Action<Dictionary<string, object?>>? change = null)
        {
            var headers = MessageFactory.Headers(id, StateTransitions.Validate);
            change?.Invoke(headers);
            return headers;
        }

        Case Dead(string name, string reason, Action<Dictionary<string, object?>>? change = null, byte[]? withBody = null, bool logged = true) =>
            new(name, Headers($"{name}-{run}", change), withBody ?? body, reason, logged ? $"{name}-{run}" : null, null);

        Case Processed(string name, string id, Dictionary<string, object?> headers, byte[] withBody) => new(name, headers, withBody, null, null, id);

        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

        return
        [
            Dead("id-int", InvalidHeader, h => h[MessageHeaders.MessageId] = 42, logged: false),
            Dead("id-table", InvalidHeader, h => h[MessageHeaders.MessageId] = new Dictionary<string, object?> { ["id"] = "nested" }, logged: false),
            Dead("id-array", InvalidHeader, h => h[MessageHeaders.MessageId] = new List<object?> { "a", 1 }, logged: false),
            Dead("id-invalid-utf8", InvalidHeader, h => h[MessageHeaders.MessageId] = new byte[] { 0x69, 0x64, 0xC3, 0x28, 0xFF }, logged: false),
            Dead("id-nul", InvalidHeader, h => h[MessageHeaders.MessageId] = $"nul-{run}\0tail", logged: false),
            Dead("id-over-1kb", InvalidHeader, h => h[MessageHeaders.MessageId] = longId + "m", logged: false),
            Dead("retry-negative", InvalidHeader, h => h[MessageHeaders.RetryCount] = -5),
            Dead("retry-huge", InvalidHeader, h => h[MessageHeaders.RetryCount] = long.MaxValue),
            Dead("retry-text", InvalidHeader, h => h[MessageHeaders.RetryCount] = "3"),
            Dead("held-table", InvalidHeader, h => h[MessageHeaders.HeldCount] = new Dictionary<string, object?> { ["n"] = 1 }),
            Dead("held-huge", InvalidHeader, h => h[MessageHeaders.HeldCount] = int.MaxValue),
            Dead("headers-over-64-kib", InvalidHeader, h => h["x-padding"] = new string('p', 120_000)),
            Dead("state-int", InvalidHeader, h => h[MessageHeaders.CurrentState] = 1),
            Dead("state-nul", UnknownTransition, h => h[MessageHeaders.NextState] = "VALIDATED\0"),
            Dead("transition-unknown", UnknownTransition, h => h[MessageHeaders.NextState] = "SHIPPED"),
            new("no-headers", null, body, MissingHeader, null, null),
            Dead("body-not-utf8", UnparseableBody, withBody: [0xFF, 0xFE, 0x00, 0x7B]),
            Dead("body-invalid-utf8-in-unknown-field", UnparseableBody, withBody: [.. Utf8("{\"payload\":\"x\",\"note\":\""), 0xC0, 0xAF, .. Utf8("\"}")]),
            Dead("body-empty", UnparseableBody, withBody: []),
            Dead("body-lone-surrogate", UnparseableBody, withBody: Utf8("{\"payload\":\"a\\ud800b\"}")),
            Dead("body-raw-nul", UnparseableBody, withBody: [.. Utf8("{\"payload\":\"a"), 0x00, .. Utf8("b\"}")]),
            Dead("body-created-at-out-of-range", UnparseableBody, withBody: Utf8("{\"payload\":\"x\",\"createdAtUnixMs\":9000000000000000}")),
            Dead("body-oversized", OversizedBody, withBody: MessageFactory.Body(new MessageBody(new string('x', 70 * 1024)))),
            Processed("payload-escaped-nul", $"payload-nul-{run}", Headers($"payload-nul-{run}"), Utf8("{\"payload\":\"a\\u0000b\"}")),
            Processed("id-of-1024-bytes", longId, Headers(longId), body),
            Processed("junk-headers", $"junk-{run}", Headers($"junk-{run}", h =>
            {
                h["x-nested"] = new Dictionary<string, object?> { ["deep"] = new Dictionary<string, object?> { ["list"] = new List<object?> { 1, "two", null } } };
                h["x-timestamp"] = new AmqpTimestamp(1_764_345_600);
                h["x-decimal"] = 12.5m;
                h["x-double"] = -2.5e300;
                h["x-float"] = 1.5f;
                h["x-bool"] = true;
                h["x-void"] = null;
                h["x-byte"] = (byte)255;
                h["x-sbyte"] = (sbyte)-1;
                h["x-short"] = (short)-2;
                h["x-ushort"] = (ushort)3;
                h["x-uint"] = 4u;
                h["x-long"] = long.MinValue;
                h["x-binary"] = new BinaryTableValue([0x00, 0xFF]);
                h["x-invalid-utf8"] = new byte[] { 0xFF };
                h[MessageHeaders.TraceParent] = 17;
            }), body),
        ];
    }

    private async Task InstallRejectTriggerAsync()
    {
        // A server-side rule the consumer cannot know: ids 'reject-<sqlstate>-...' fail their insert with that SQLSTATE.
        await using var command = lab.Probe.Database.CreateCommand($"""
            CREATE OR REPLACE FUNCTION hostile_input_reject() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.message_id LIKE 'reject-%' THEN
                    RAISE EXCEPTION 'rejected by the test trigger' USING ERRCODE = split_part(NEW.message_id, '-', 2);
                END IF;
                RETURN NEW;
            END $$;
            DROP TRIGGER IF EXISTS hostile_input_reject ON {LabTables.FinalStates};
            CREATE TRIGGER hostile_input_reject BEFORE INSERT ON {LabTables.FinalStates} FOR EACH ROW EXECUTE FUNCTION hostile_input_reject();
            """);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task RemoveRejectTriggerAsync()
    {
        await using var command = lab.Probe.Database.CreateCommand($"""
            DROP TRIGGER IF EXISTS hostile_input_reject ON {LabTables.FinalStates};
            DROP FUNCTION IF EXISTS hostile_input_reject();
            """);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private Task<IChannel> ConfirmChannelAsync() => lab.Rabbit.CreateChannelAsync(
        new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);

    private static async Task<string> PublishGoodAsync(IChannel channel, string id)
    {
        await PublishAsync(channel, MessageFactory.Headers(id, StateTransitions.Validate), MessageFactory.Body(new MessageBody("good")), tag: id);
        return id;
    }

    /// <summary>Publishes to queue-1; <paramref name="tag"/> goes in the AMQP message-id property, which the consumer copies to
    /// the dead letter, so even a message without usable headers can be told apart there.</summary>
    private static async Task PublishAsync(IChannel channel, Dictionary<string, object?>? headers, byte[] body, string tag) =>
        await channel.BasicPublishAsync(LabTopology.DirectExchange, "orders", mandatory: true,
            new BasicProperties { Persistent = true, Headers = headers, MessageId = tag }, body, Ct);

    private static string Shorten(string id) => id.Length > 40 ? id[..40] + "..." : id;
}

[Collection(Phase2Collection.Name)]
public sealed class QuorumHostileInputTests(Phase2Fixture lab) : HostileInputTests(lab);

[Collection(ClassicCollection.Name)]
public sealed class ClassicHostileInputTests(ClassicFixture lab) : HostileInputTests(lab);
