using System.Text;
using QueueLab.Ordering.Contracts;

namespace QueueLab.ChaosTests.Fuzz;

/// <summary>
/// How each <see cref="InputKind"/> is written as bytes, and what the input contract (README, "Any bytes in, exactly one
/// outcome out") says must happen to it. This is the specification the fuzz suite holds the lab to; it does not call the
/// parser.
/// </summary>
public static class InputCatalogue
{
    public static readonly IReadOnlyList<InputKind> ClaimingKinds =
        [InputKind.MissingPayload, InputKind.NonStringPayload, InputKind.LoneSurrogate, InputKind.EscapedNul, InputKind.PayloadTooLarge, InputKind.BadCreatedAt];

    public static readonly IReadOnlyList<InputKind> UnreadableKinds =
        [.. Enum.GetValues<InputKind>().Where(k => k != InputKind.Valid && !ClaimingKinds.Contains(k))];

    /// <summary>Whether a message of this kind claims the seq it carries (valid, or a bad body around a valid seq).</summary>
    public static bool ClaimsSeq(InputKind kind) => kind == InputKind.Valid || ClaimingKinds.Contains(kind);

    /// <summary>The dead-letter reason the contract gives this kind (null: valid, it comes out).</summary>
    public static string? Reason(InputKind kind) => kind switch
    {
        InputKind.Valid => null,
        InputKind.MissingPayload => DeadLetterReasons.MissingPayload,
        InputKind.NonStringPayload or InputKind.LoneSurrogate or InputKind.EscapedNul => DeadLetterReasons.InvalidPayload,
        InputKind.PayloadTooLarge => DeadLetterReasons.PayloadTooLarge,
        InputKind.BadCreatedAt => DeadLetterReasons.InvalidCreatedAt,
        InputKind.NotUtf8 => DeadLetterReasons.InvalidUtf8,
        InputKind.MissingSeq => DeadLetterReasons.MissingSeq,
        InputKind.SeqAsFloat or InputKind.SeqAsString or InputKind.SeqTwoToThe53 or InputKind.SeqTwoToThe63 or InputKind.ZeroSeq
            or InputKind.NegativeSeq => DeadLetterReasons.InvalidSeq,
        InputKind.MessageTooLarge => DeadLetterReasons.MessageTooLarge,
        _ => DeadLetterReasons.InvalidJson,
    };

    /// <summary>The payload a valid message of this seq and variant carries (unique per variant).</summary>
    public static string Payload(long seq, int variant) => $"p{seq}-{variant}";

    /// <summary>The bytes of a message of <paramref name="kind"/> that carries (or would carry) <paramref name="seq"/>.</summary>
    public static byte[] Render(InputKind kind, long seq, int variant)
    {
        var p = Payload(seq, variant);
        return kind switch
        {
            InputKind.Valid => (variant % 4) switch
            {
                0 => B($$"""{"seq":{{seq}},"payload":"{{p}}"}"""),
                1 => B($$"""{"payload":"{{p}}","seq":{{seq}},"createdAt":"2026-01-01T00:00:00Z"}"""),
                2 => B($$"""{ "seq" : {{seq}} , "payload" : "{{p}}" , "note" : "h\u00e9llo \u2713 \"q\" \\ \n" }"""),
                _ => B($$"""{"seq":{{seq}},"payload":"{{p}}","extra":{"a":[1,2,{"b":null}]},"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}"""),
            },
            InputKind.MissingPayload => B($$"""{"seq":{{seq}},"note":"{{p}}"}"""),
            InputKind.NonStringPayload => B($$"""{"seq":{{seq}},"payload":["{{p}}"]}"""),
            InputKind.LoneSurrogate => B($$"""{"seq":{{seq}},"payload":"{{p}}\ud800"}"""),
            InputKind.EscapedNul => B($$"""{"seq":{{seq}},"payload":"{{p}}\u0000"}"""),
            InputKind.PayloadTooLarge => B($$"""{"seq":{{seq}},"payload":"{{p}}{{new string('x', 5000)}}"}"""),
            InputKind.BadCreatedAt => B($$"""{"seq":{{seq}},"payload":"{{p}}","createdAt":"the day after {{variant}}"}"""),
            InputKind.NotUtf8 => [.. B($$"""{"seq":{{seq}},"payload":"{{p}}"""), 0xC3, 0x28, .. B("\"}")],
            InputKind.RawTab => B($"{{\"seq\":{seq},\"payload\":\"{p}\t\"}}"),
            InputKind.RawNul => B($"{{\"seq\":{seq},\"payload\":\"{p}\0\"}}"),
            InputKind.LeadingZero => B($$"""{"seq":0{{seq}},"payload":"{{p}}"}"""),
            InputKind.NotANumber => B($$"""{"seq":NaN,"payload":"{{p}}"}"""),
            InputKind.Hex => B($$"""{"seq":0x{{seq:x}},"payload":"{{p}}"}"""),
            InputKind.DataAfterNul => [.. B($$"""{"seq":{{seq}},"payload":"{{p}}"}"""), 0x00, .. B($$"""{"seq":{{seq}}}""")],
            InputKind.DuplicateKeys => B($$"""{"seq":{{seq}},"payload":"{{p}}","seq":{{seq}}}"""),
            InputKind.DeepNesting => B($$"""{"seq":{{seq}},"payload":"{{p}}","n":{{new string('[', 100 + (variant % 900))}}{{new string(']', 100 + (variant % 900))}}}"""),
            InputKind.Empty => [],
            InputKind.Whitespace => B(new string(' ', 1 + (variant % 5)) + "\t\r\n"),
            InputKind.Comment => B($$"""{"seq":{{seq}},/* {{variant}} */"payload":"{{p}}"}"""),
            InputKind.TrailingComma => B($$"""{"seq":{{seq}},"payload":"{{p}}",}"""),
            InputKind.NotAnObject => B($$"""[{"seq":{{seq}},"payload":"{{p}}"}]"""),
            InputKind.MissingSeq => B($$"""{"payload":"{{p}}"}"""),
            InputKind.SeqAsFloat => B($$"""{"seq":{{seq}}.0,"payload":"{{p}}"}"""),
            InputKind.SeqAsString => B($$"""{"seq":"{{seq}}","payload":"{{p}}"}"""),
            InputKind.SeqTwoToThe53 => B($$"""{"seq":9007199254740992,"payload":"{{p}}"}"""),
            InputKind.SeqTwoToThe63 => B($$"""{"seq":9223372036854775808,"payload":"{{p}}"}"""),
            InputKind.ZeroSeq => B($$"""{"seq":0,"payload":"{{p}}"}"""),
            InputKind.NegativeSeq => B($$"""{"seq":-{{seq}},"payload":"{{p}}"}"""),
            InputKind.MessageTooLarge => B($$"""{"seq":{{seq}},"payload":"{{p}}","pad":"{{new string('x', 70 * 1024)}}"}"""),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
}
