using System.Text;
using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>
/// Any bytes pushed to the input end in exactly one outcome, through the running lab: processed once and in order, or
/// dead-lettered once with the reason the input contract gives. The pipeline keeps going either way.
/// </summary>
[Collection(OrderingCollection.Name)]
public sealed class HostileInputTests(OrderingFixture lab)
{
    private sealed record Hostile(string Name, byte[] Raw, string Reason, bool SkipsItsSeq);

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Every_class_of_hostile_input_is_dead_lettered_once_with_its_reason_while_the_good_ones_come_out_in_order()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var deadLettersBefore = await lab.Db.ListLengthAsync(lab.Keys.DeadLetter);
        // Seqs first .. first+29 are the run's. Some of them are taken by a hostile message that carries a valid seq (its
        // seq is skipped), one has its first body unreadable and a corrected resend at the end.
        var s = Enumerable.Range(0, 30).Select(i => first + i).ToArray();
        var corrected = s[5];
        var hostile = new List<Hostile>
        {
            new("bytes that are not UTF-8", [.. B("""{"seq":"""), .. B(corrected.ToString()), .. B(""","payload":"""), 0x22, 0xC3, 0x28, 0x22, 0x7D], DeadLetterReasons.InvalidUtf8, false),
            new("lone surrogate in the payload", B($$"""{"seq":{{s[8]}},"payload":"\ud800"}"""), DeadLetterReasons.InvalidPayload, true),
            new("escaped NUL in the payload", B($$"""{"seq":{{s[9]}},"payload":"a\u0000b"}"""), DeadLetterReasons.InvalidPayload, true),
            new("raw tab in a string", B($"{{\"seq\":{s[10]},\"payload\":\"a\tb\"}}"), DeadLetterReasons.InvalidJson, false),
            new("raw NUL in a string", B($"{{\"seq\":{s[10]},\"payload\":\"a\0b\"}}"), DeadLetterReasons.InvalidJson, false),
            new("leading zero", B($$"""{"seq":0{{s[10]}},"payload":"x"}"""), DeadLetterReasons.InvalidJson, false),
            new("NaN", B("""{"seq":NaN,"payload":"x"}"""), DeadLetterReasons.InvalidJson, false),
            new("Infinity", B("""{"seq":Infinity,"payload":"x"}"""), DeadLetterReasons.InvalidJson, false),
            new("hex number", B("""{"seq":0x1F,"payload":"x"}"""), DeadLetterReasons.InvalidJson, false),
            new("data after a NUL byte", [.. B($$"""{"seq":{{s[10]}},"payload":"x"}"""), 0x00, .. B("""{"seq":1}""")], DeadLetterReasons.InvalidJson, false),
            new("deep nesting", B("""{"seq":1,"payload":"x","n":""" + new string('[', 5000) + new string(']', 5000) + "}"), DeadLetterReasons.InvalidJson, false),
            new("duplicate keys", B($$"""{"seq":{{s[10]}},"seq":{{s[11]}},"payload":"x"}"""), DeadLetterReasons.InvalidJson, false),
            new("seq 2^53", B("""{"seq":9007199254740992,"payload":"x"}"""), DeadLetterReasons.InvalidSeq, false),
            new("seq 2^63", B("""{"seq":9223372036854775808,"payload":"x"}"""), DeadLetterReasons.InvalidSeq, false),
            new("seq as a float", B($$"""{"seq":{{s[10]}}.0,"payload":"x"}"""), DeadLetterReasons.InvalidSeq, false),
            new("empty", [], DeadLetterReasons.InvalidJson, false),
            new("whitespace only", B(" \t\r\n "), DeadLetterReasons.InvalidJson, false),
            new("a 1 MB message", B($$"""{"seq":{{s[10]}},"payload":"{{new string('x', 1 << 20)}}"}"""), DeadLetterReasons.MessageTooLarge, false),
            new("payload over the limit", B($$"""{"seq":{{s[12]}},"payload":"{{new string('x', 5000)}}"}"""), DeadLetterReasons.PayloadTooLarge, true),
            new("createdAt not a date", B($$"""{"seq":{{s[13]}},"payload":"x","createdAt":"yesterday"}"""), DeadLetterReasons.InvalidCreatedAt, true),
            new("a different body with a seq already taken", B(OrderingFixture.Message(s[2], "an impostor")), DeadLetterReasons.DuplicateSeq, false),
        };
        var skippedSeqs = hostile.Where(h => h.SkipsItsSeq).Select(h => System.Text.Json.JsonDocument.Parse(
            Encoding.UTF8.GetString(h.Raw).Replace("\\ud800", "", StringComparison.Ordinal).Replace("\\u0000", "", StringComparison.Ordinal)).RootElement.GetProperty("seq").GetInt64()).ToHashSet();
        var good = s.Where(seq => !skippedSeqs.Contains(seq) && seq != corrected).ToList();
        var identicalCopy = OrderingFixture.Message(s[20], "sent twice");

        var input = new List<RedisValue>();
        foreach (var seq in good)
        {
            input.Add(seq == s[20] ? identicalCopy : OrderingFixture.Message(seq));
            if (seq == s[3])
            {
                input.AddRange(hostile.Select(h => (RedisValue)h.Raw));
                input.Add(identicalCopy);
            }
        }

        var correction = OrderingFixture.Message(corrected, "the corrected resend");
        input.Add(correction);
        await lab.Db.ListRightPushAsync(lab.Keys.Input, [.. input]);

        var expectedOut = s.Where(seq => !skippedSeqs.Contains(seq)).ToList();
        var output = await lab.Probe.WaitForOutputAsync(outputStart, expectedOut.Count, TimeSpan.FromSeconds(90), cancellationToken: TestContext.Current.CancellationToken);
        await lab.Probe.WaitIdleAsync(TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        output.Select(m => m.Seq).ShouldBe(expectedOut, "every good seq once, in order; the skipped ones passed");
        output.Single(m => m.Seq == corrected).Payload.ShouldBe("the corrected resend", "an unreadable first body claims nothing: the resend fills the seq");
        // Two bodies with seq s[2]: the one that claims the seq first wins and the other is a duplicate-seq (the documented
        // contract). Claims are made after the take, so when two processors each take one, either may claim first: the
        // order they were pushed in does not decide it.
        var genuine = B(OrderingFixture.Message(s[2]));
        var impostor = hostile.Single(h => h.Reason == DeadLetterReasons.DuplicateSeq).Raw;
        var winner = output.Single(m => m.Seq == s[2]).Payload;
        winner.ShouldBeOneOf([$"payload-{s[2]}", "an impostor"], "one of the two bodies of the seq comes out");
        var loser = winner == "an impostor" ? genuine : impostor;
        (await lab.Db.ListLengthAsync(lab.Keys.Output)).ShouldBe(outputStart + expectedOut.Count, "nothing else came out");

        var deadLetters = (await lab.Probe.DeadLettersAsync()).Skip((int)deadLettersBefore).ToList();
        var expectedDead = hostile.Where(h => h.Raw != impostor).Select(h => (h.Reason, Convert.ToBase64String(h.Raw)))
            .Append((DeadLetterReasons.DuplicateSeq, Convert.ToBase64String(loser)))
            .Append((DeadLetterReasons.DuplicateSeq, Convert.ToBase64String(B(identicalCopy))));
        deadLetters.Select(d => (d.Reason, Convert.ToBase64String(d.RawBytes()))).Order().ShouldBe(expectedDead.Order(),
            "each hostile message dead-lettered exactly once, with its reason and its exact bytes");
        deadLetters.Where(d => d.Skipped).Select(d => d.Seq!.Value).Order().ShouldBe(skippedSeqs.Order());
        foreach (var seq in skippedSeqs)
        {
            (await lab.Db.HashExistsAsync(lab.Keys.Skipped, seq)).ShouldBeTrue($"seq {seq} is recorded as skipped");
        }

        deadLetters.ShouldAllBe(d => !string.IsNullOrWhiteSpace(d.Detail));
    }
}
