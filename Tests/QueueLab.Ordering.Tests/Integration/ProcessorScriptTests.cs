using System.Text;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Parsing;
using QueueLab.Ordering.Redis;
using QueueLab.Ordering.Scripts;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>The processors' Lua scripts against the lab's real Redis, each test under its own key prefix.</summary>
[Collection(OrderingCollection.Name)]
public sealed class ProcessorScriptTests(OrderingFixture lab)
{
    private readonly OrderingKeys _keys = new("test:" + Guid.NewGuid().ToString("N")[..12]);

    private IDatabase Db => lab.Db;

    private ProcessorStore Store(string id = "p1") => new(Db, _keys, id);

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string Fp(string text) => MessageFingerprint.Of(B(text));

    private async Task<IReadOnlyList<TakenMessage>> TakeAndPrepareAsync(ProcessorStore store, int count = 100) =>
        await store.PrepareAsync((await store.TakeAsync(count)).Messages, ParserLimits.Default);

    private static string Id(long seq) => seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Completion Done(string raw, long seq, string body = "{}") => new(Id(seq), B(raw), Fp(raw), body, "", 1);

    [Fact]
    public async Task Take_moves_the_exact_bytes_even_when_they_are_not_UTF_8()
    {
        byte[] invalid = [0x7B, 0xFF, 0xFE, 0x00, 0x7D];
        await Db.ListRightPushAsync(_keys.Input, [invalid, B("""{"seq":1,"payload":"x"}""")]);

        var batch = await Store().TakeAsync(10);

        batch.Quarantined.ShouldBe(0);
        batch.Messages[0].ShouldBe(invalid);
        (await Db.ListRangeAsync(_keys.InFlight("p1")))[0].ShouldBe((RedisValue)invalid);
        (await Db.SetContainsAsync(_keys.Processors, "p1")).ShouldBeTrue();
    }

    [Fact]
    public async Task Prepare_claims_each_seq_for_the_first_message_that_carries_it()
    {
        var original = """{"seq":7,"payload":"first"}""";
        var impostor = """{"seq":7,"payload":"second"}""";
        var badPayloadWithSeq = """{"seq":8,"payload":12}""";
        await Db.ListRightPushAsync(_keys.Input, [original, impostor, original, "garbage", """{"seq":"9","payload":"x"}""", badPayloadWithSeq]);

        var taken = await TakeAndPrepareAsync(Store());

        taken.Select(t => t.Claim).ShouldBe([SeqClaim.Claimed, SeqClaim.Duplicate, SeqClaim.Claimed, SeqClaim.None, SeqClaim.None, SeqClaim.Claimed]);
        taken[3].Parsed.Reason.ShouldBe(DeadLetterReasons.InvalidJson);
        taken[5].Parsed.Reason.ShouldBe(DeadLetterReasons.InvalidPayload);
        (await Db.HashGetAsync(_keys.Claims, 7)).ToString().ShouldBe(Fp(original));
        (await Db.HashGetAsync(_keys.Claims, 8)).ToString().ShouldBe(Fp(badPayloadWithSeq), "a rejected message with a valid seq owns that seq");
    }

    [Fact]
    public async Task A_message_for_a_seq_that_was_already_passed_is_a_duplicate_even_when_its_claim_was_trimmed()
    {
        await Db.StringSetAsync(_keys.NextSeq, 10);
        await Db.ListRightPushAsync(_keys.Input, ["""{"seq":4,"payload":"late"}""", """{"seq":10,"payload":"next"}"""]);

        var taken = await TakeAndPrepareAsync(Store());

        taken.Select(t => t.Claim).ShouldBe([SeqClaim.Duplicate, SeqClaim.Claimed]);
    }

    [Fact]
    public async Task Complete_decides_the_seq_once_records_publishes_and_leaves_the_in_flight_list()
    {
        var raw = """{"seq":1,"payload":"x"}""";
        await Db.ListRightPushAsync(_keys.Input, [raw, raw]);
        var store = Store();
        var taken = await TakeAndPrepareAsync(store);
        taken.Select(t => t.Claim).ShouldBe([SeqClaim.Claimed, SeqClaim.Claimed], "identical bytes: could be a redelivery");

        (await store.CompleteManyAsync([Done(raw, 1, """{"v":"first"}""")], recordInRedis: true)).ShouldBe([CompletionOutcome.Completed]);
        (await store.CompleteManyAsync([Done(raw, 1, """{"v":"second"}""")], recordInRedis: true))
            .ShouldBe([CompletionOutcome.Decided], "the second copy is a duplicate: the caller dead-letters it");

        (await Db.HashGetAsync(_keys.Records, 1)).ToString().ShouldBe("""{"v":"first"}""");
        (await Db.HashGetAsync(_keys.Claims, 1)).ToString().ShouldBe(Fp(raw) + ":r");
        (await Db.StreamLengthAsync(_keys.Results)).ShouldBe(1);
        (await Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(1, "the duplicate stays until it is dead-lettered");
        (await Db.ListRightPushAsync(_keys.Input, raw)).ShouldBe(1);
        (await TakeAndPrepareAsync(store)).Single().Claim.ShouldBe(SeqClaim.Finished);
    }

    /// <summary>A restart on an AOF that missed the last second, or a failover to a replica that had not received it, can
    /// roll back a claim while its message stays in flight (its move into the list came earlier): the message must still
    /// reach its result or its skip, never be dead-lettered as a duplicate of nothing while its seq stays undecided.</summary>
    [Fact]
    public async Task A_claim_rolled_back_while_its_message_was_in_flight_is_made_again_by_its_result_or_its_skip()
    {
        var completed = """{"seq":3,"payload":"x"}""";
        var reserved = """{"seq":4,"payload":"x"}""";
        var skipped = """{"seq":5,"payload":"x"}""";
        await Db.ListRightPushAsync(_keys.Input, [completed, reserved, skipped]);
        var store = Store();
        var taken = await TakeAndPrepareAsync(store);
        taken.ShouldAllBe(t => t.Claim == SeqClaim.Claimed);
        await Db.HashDeleteAsync(_keys.Claims, [3, 4, 5]);

        (await store.CompleteManyAsync([Done(completed, 3)], recordInRedis: true)).ShouldBe([CompletionOutcome.Completed]);
        (await store.ReserveAsync([Done(reserved, 4)])).ShouldBe([true]);
        (await store.DeadLetterAsync(taken[2].Raw, taken[2].Fingerprint, "{}", "5", SkipMode.IfUndecided, DeadLetterReasons.ProcessingFailed))
            .ShouldBe(DeadLetterOutcome.Written);

        (await Db.HashGetAsync(_keys.Claims, 3)).ToString().ShouldBe(Fp(completed) + ":r");
        (await Db.HashGetAsync(_keys.Claims, 4)).ToString().ShouldBe(Fp(reserved) + ":p");
        (await Db.HashGetAsync(_keys.Claims, 5)).ToString().ShouldBe(Fp(skipped) + ":s");
        (await Db.StreamLengthAsync(_keys.Results)).ShouldBe(2, "a result for 3 and a skip for 5");
    }

    [Fact]
    public async Task A_missing_claim_of_a_seq_already_passed_stays_decided()
    {
        var raw = """{"seq":6,"payload":"x"}""";
        await Db.ListRightPushAsync(_keys.Input, raw);
        var store = Store();
        (await TakeAndPrepareAsync(store)).Single().Claim.ShouldBe(SeqClaim.Claimed);
        await Db.HashDeleteAsync(_keys.Claims, 6);
        await Db.StringSetAsync(_keys.NextSeq, 7); // the sequencer passed 6 and its claim was trimmed

        (await store.CompleteManyAsync([Done(raw, 6)], recordInRedis: true)).ShouldBe([CompletionOutcome.Decided]);
        (await store.ReserveAsync([Done(raw, 6)])).ShouldBe([false]);
        (await Db.HashExistsAsync(_keys.Claims, 6)).ShouldBeFalse("a passed seq is never claimed again");
        (await Db.StreamLengthAsync(_keys.Results)).ShouldBe(0);
    }

    [Fact]
    public async Task Complete_of_a_message_that_left_the_in_flight_list_changes_nothing()
    {
        var raw = """{"seq":2,"payload":"x"}""";
        await Db.ListRightPushAsync(_keys.Input, raw);
        var store = Store();
        await TakeAndPrepareAsync(store);
        await Db.KeyDeleteAsync(_keys.InFlight("p1")); // a reaper returned it while this processor was paused

        (await store.CompleteManyAsync([Done(raw, 2)], recordInRedis: true)).ShouldBe([CompletionOutcome.Lost]);

        (await Db.StreamLengthAsync(_keys.Results)).ShouldBe(0);
        (await Db.HashGetAsync(_keys.Claims, 2)).ToString().ShouldBe(Fp(raw), "still undecided: its new owner decides it");
    }

    [Fact]
    public async Task Dead_letter_is_written_once_and_records_a_skip_once()
    {
        var failing = """{"seq":4,"payload":"x"}""";
        await Db.ListRightPushAsync(_keys.Input, [failing, "garbage"]);
        var store = Store();
        var taken = await TakeAndPrepareAsync(store);

        (await store.DeadLetterAsync(taken[0].Raw, taken[0].Fingerprint, "{\"reason\":\"processing-failed\"}", "4", SkipMode.IfUndecided, DeadLetterReasons.ProcessingFailed))
            .ShouldBe(DeadLetterOutcome.Written);
        (await store.DeadLetterAsync(taken[0].Raw, taken[0].Fingerprint, "{\"reason\":\"processing-failed\"}", "4", SkipMode.IfUndecided, DeadLetterReasons.ProcessingFailed))
            .ShouldBe(DeadLetterOutcome.Decided, "a second skip of the same seq is refused");
        (await store.DeadLetterAsync(taken[0].Raw, taken[0].Fingerprint, "{\"reason\":\"again\"}", "4", SkipMode.None, DeadLetterReasons.DuplicateSeq))
            .ShouldBe(DeadLetterOutcome.Lost, "the message already left the in-flight list: no second entry");
        (await store.DeadLetterAsync(taken[1].Raw, taken[1].Fingerprint, "{\"reason\":\"invalid-json\"}", null, SkipMode.IfUndecided, DeadLetterReasons.InvalidJson))
            .ShouldBe(DeadLetterOutcome.Written);

        (await Db.ListLengthAsync(_keys.DeadLetter)).ShouldBe(2);
        (await Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0);
        (await Db.HashGetAllAsync(_keys.Skipped)).Select(e => (e.Name.ToString(), e.Value.ToString())).ShouldBe([("4", DeadLetterReasons.ProcessingFailed)]);
        (await Db.HashGetAsync(_keys.Claims, 4)).ToString().ShouldBe(taken[0].Fingerprint + ":s");
        var entries = await Db.StreamRangeAsync(_keys.Results);
        entries.Length.ShouldBe(1);
        entries[0]["kind"].ToString().ShouldBe("s");
    }

    [Fact]
    public async Task Dead_letter_removes_bytes_that_are_not_UTF_8_from_the_in_flight_list()
    {
        byte[] invalid = [0x22, 0xC3, 0x28, 0x22];
        await Db.ListRightPushAsync(_keys.Input, invalid);
        var store = Store();
        var taken = (await TakeAndPrepareAsync(store)).Single();
        taken.Parsed.Reason.ShouldBe(DeadLetterReasons.InvalidUtf8);

        (await store.DeadLetterAsync(taken.Raw, taken.Fingerprint, "{}", null, SkipMode.None, taken.Parsed.Reason!)).ShouldBe(DeadLetterOutcome.Written);

        (await Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0);
    }

    /// <summary>
    /// Two copies of one message, one failing its retries and one succeeding, race to decide the seq; and a record that is
    /// pending in PostgreSQL blocks a skip. Whatever the interleaving, a seq is either skipped or given a result, never both.
    /// </summary>
    [Fact]
    public async Task The_skip_path_and_the_result_path_never_both_decide_a_seq()
    {
        const int Pairs = 300;
        var raws = Enumerable.Range(1, Pairs).Select(i => $$"""{"seq":{{i}},"payload":"p{{i}}"}""").ToArray();
        await Db.ListRightPushAsync(_keys.Input, [.. raws.SelectMany(r => new RedisValue[] { r, r })]);
        var a = Store("a");
        var b = Store("b");
        var takenA = new List<TakenMessage>();
        var takenB = new List<TakenMessage>();
        for (var i = 0; i < Pairs; i++)
        {
            takenA.AddRange(await TakeAndPrepareAsync(a, 1));
            takenB.AddRange(await TakeAndPrepareAsync(b, 1));
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, Pairs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var (skipper, skipped, completer, completed) = (i * 7 % 5) % 2 == 0 ? (a, takenA[i], b, takenB[i]) : (b, takenB[i], a, takenA[i]);
            var seq = (long)(i + 1);
            var mode = i % 3 == 2 ? SkipMode.IfUndecidedOrPending : SkipMode.IfUndecided;
            var reserveFirst = i % 3 != 0;
            var skip = skipper.DeadLetterAsync(skipped.Raw, skipped.Fingerprint, "{}", Id(seq), mode, DeadLetterReasons.ProcessingFailed);
            var complete = Task.Run(async () =>
            {
                var done = new Completion(Id(seq), completed.Raw, completed.Fingerprint, "{}", "", 1);
                if (reserveFirst && !(await completer.ReserveAsync([done]))[0])
                {
                    return CompletionOutcome.Decided;
                }

                return (await completer.CompleteManyAsync([done], recordInRedis: !reserveFirst))[0];
            });
            await Task.WhenAll(skip, complete);
            (skip.Result == DeadLetterOutcome.Written && complete.Result == CompletionOutcome.Completed).ShouldBeFalse($"seq {seq}: skipped and completed");
        });

        var kinds = (await Db.StreamRangeAsync(_keys.Results)).GroupBy(e => (long)e["seq"]).ToDictionary(g => g.Key, g => g.Select(e => e["kind"].ToString()).ToList());
        kinds.Count.ShouldBe(Pairs, "every seq is decided");
        kinds.Values.ShouldAllBe(k => k.Count == 1, "one stream entry per seq: never a result and a skip");
        var claims = await Db.HashGetAllAsync(_keys.Claims);
        claims.ShouldAllBe(c => c.Value.ToString().EndsWith(":r") || c.Value.ToString().EndsWith(":s"));
        foreach (var claim in claims)
        {
            var kind = kinds[(long)claim.Name].Single();
            claim.Value.ToString()[^1..].ShouldBe(kind, $"seq {claim.Name}: the claim and the stream agree");
            (await Db.HashExistsAsync(_keys.Skipped, claim.Name)).ShouldBe(kind == "s");
        }
    }

    [Fact]
    public async Task Two_reapers_return_a_dead_processors_messages_once_and_in_order_and_leave_live_ones_alone()
    {
        await Db.ListRightPushAsync(_keys.InFlight("dead"), ["a", "b", "c"]);
        await Db.ListRightPushAsync(_keys.InFlight("alive"), ["d"]);
        await Db.ListRightPushAsync(_keys.Input, ["e"]);
        await Db.SetAddAsync(_keys.Processors, ["dead", "alive"]);
        await Db.StringSetAsync(_keys.Heartbeat("alive"), "1", TimeSpan.FromSeconds(30));

        var reaps = await Task.WhenAll(Store("r1").ReapDeadAsync(10), Store("r2").ReapDeadAsync(10));

        reaps.Sum(r => r.Messages).ShouldBe(3);
        reaps.Sum(r => r.Processors).ShouldBe(1);
        (await Db.ListRangeAsync(_keys.Input)).Select(v => v.ToString()).ShouldBe(["a", "b", "c", "e"]);
        (await Db.ListRangeAsync(_keys.InFlight("alive"))).Select(v => v.ToString()).ShouldBe(["d"]);
        (await Db.SetMembersAsync(_keys.Processors)).Select(v => v.ToString()).ShouldBe(["alive"]);
    }

    [Fact]
    public async Task A_message_reclaimed_too_often_is_quarantined_then_taken_first_to_be_dead_lettered()
    {
        const int MaxReclaims = 2;
        var poison = """{"seq":1,"payload":"kills its processor"}""";
        await Db.ListRightPushAsync(_keys.Input, [poison, """{"seq":2,"payload":"innocent"}"""]);
        for (var life = 1; life <= MaxReclaims + 1; life++)
        {
            var doomed = Store($"doomed-{life}");
            (await doomed.TakeAsync(1)).Messages.Single().ShouldBe(B(poison));
            var reaped = await Store("reaper").ReapDeadAsync(MaxReclaims);
            reaped.Quarantined.ShouldBe(life > MaxReclaims ? 1 : 0);
        }

        (await Db.ListLengthAsync(_keys.Quarantine)).ShouldBe(1);
        var batch = await Store("survivor").TakeAsync(5);
        batch.Quarantined.ShouldBe(1);
        batch.Messages.Select(m => Encoding.UTF8.GetString(m)).ShouldBe([poison, """{"seq":2,"payload":"innocent"}"""]);
        (await Store("own").ReturnOwnAsync()).Quarantined.ShouldBe(0, "a graceful return is not a reclaim");
    }

    [Fact]
    public async Task Clear_is_refused_while_a_message_is_on_its_way_and_is_atomic()
    {
        await Db.ListRightPushAsync(_keys.Input, ["""{"seq":1,"payload":"x"}"""]);
        var refused = await OrderingAdmin.ClearAsync(Db, _keys);
        refused.Cleared.ShouldBeFalse();
        refused.Input.ShouldBe(1);
        (await Db.ListLengthAsync(_keys.Input)).ShouldBe(1);

        await TakeAndPrepareAsync(Store());
        (await OrderingAdmin.ClearAsync(Db, _keys)).InFlight.ShouldBe(1);

        await Db.KeyDeleteAsync(_keys.InFlight("p1"));
        await Db.ListRightPushAsync(_keys.Output, "x");
        await Db.StringSetAsync(_keys.NextSeq, 2);
        var cleared = await OrderingAdmin.ClearAsync(Db, _keys);
        cleared.Cleared.ShouldBeTrue(cleared.Describe());
        (await Db.KeyExistsAsync(_keys.Output)).ShouldBeFalse();
        (await Db.KeyExistsAsync(_keys.NextSeq)).ShouldBeFalse();
        (await Db.KeyExistsAsync(_keys.Claims)).ShouldBeFalse();
    }

    [Fact]
    public void No_script_decodes_a_message_so_Lua_and_the_parser_cannot_disagree() =>
        new[] { ProcessorScripts.Take, ProcessorScripts.Claim, ProcessorScripts.Reserve, ProcessorScripts.Complete, ProcessorScripts.DeadLetter,
                ProcessorScripts.Reap, SequencerScripts.Sequence, AdminScripts.Clear }
            .ShouldAllBe(s => s.Contains("redis.call", StringComparison.Ordinal) && !s.Contains("cjson", StringComparison.Ordinal)
                && !s.Contains("string.find", StringComparison.Ordinal));
}
