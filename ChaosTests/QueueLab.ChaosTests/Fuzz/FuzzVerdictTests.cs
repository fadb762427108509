using QueueLab.Ordering.Contracts;
using Shouldly;

namespace QueueLab.ChaosTests.Fuzz;

/// <summary>The fuzz suite's judge on made-up outcomes: it passes the right one and names each kind of violation.</summary>
public sealed class FuzzVerdictTests
{
    private const long First = 100;

    // seq 100: valid, and an impostor; seq 101: a bad body (skipped); plus one unreadable message.
    private static readonly InputTemplate[] Templates =
    [
        new(InputKind.Valid, 0, 0),
        new(InputKind.Valid, 0, 1),
        new(InputKind.NonStringPayload, 1, 0),
        new(InputKind.NotUtf8, 0, 5),
    ];

    private static IReadOnlyList<FuzzMessage> Messages => FuzzInput.Materialize(Templates, First);

    private static SequencedMessage Out(long seq, string payload)
    {
        var t = DateTimeOffset.UtcNow;
        return new SequencedMessage(seq, payload, null, t, t, t, t, "p", 1);
    }

    private static DeadLetter Dead(FuzzMessage m, string reason, bool skipped) =>
        new(reason, "detail", m.ClaimSeq, skipped, null, "p", DateTimeOffset.UtcNow, Convert.ToBase64String(m.Raw));

    private static (List<SequencedMessage> Output, List<DeadLetter> Dead) Right()
    {
        var m = Messages;
        return ([Out(100, m[0].Payload!)],
        [
            Dead(m[1], DeadLetterReasons.DuplicateSeq, false),
            Dead(m[2], DeadLetterReasons.InvalidPayload, true),
            Dead(m[3], DeadLetterReasons.InvalidUtf8, false),
        ]);
    }

    [Fact]
    public void The_contracted_outcome_passes_whichever_candidate_won()
    {
        var (output, dead) = Right();
        FuzzVerdict.Check(Messages, First, 2, output, dead).Passed.ShouldBeTrue();

        var m = Messages;
        FuzzVerdict.Check(m, First, 2, [Out(100, m[1].Payload!)],
            [Dead(m[0], DeadLetterReasons.DuplicateSeq, false), dead[1], dead[2]]).Passed.ShouldBeTrue("the impostor may claim first");
    }

    [Fact]
    public void A_lost_message_a_second_outcome_and_a_wrong_reason_are_each_named()
    {
        var (output, dead) = Right();
        FuzzVerdict.Check(Messages, First, 2, output, dead[..2]).Violations.ShouldHaveSingleItem().ShouldStartWith("missing dead letter: invalid-utf8");
        FuzzVerdict.Check(Messages, First, 2, [.. output, Out(100, Messages[0].Payload!)], dead).Passed.ShouldBeFalse();
        FuzzVerdict.Check(Messages, First, 2, output, [dead[0], dead[1], dead[2], dead[2]]).Violations.ShouldHaveSingleItem().ShouldStartWith("unexpected dead letter");
        FuzzVerdict.Check(Messages, First, 2, output, [dead[0], dead[1] with { Reason = DeadLetterReasons.MissingPayload }, dead[2]])
            .Violations.ShouldContain(v => v.Contains("the contract says invalid-payload"));
        FuzzVerdict.Check(Messages, First, 2, [], [dead[1], dead[2]]).Violations.ShouldContain(v => v.StartsWith("seq 100: 0 output messages and 0 skips"));
    }
}
