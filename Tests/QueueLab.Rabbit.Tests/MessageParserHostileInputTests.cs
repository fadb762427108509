using System.Collections.Concurrent;
using System.Text;
using CsCheck;
using RabbitMQ.Client;

namespace QueueLab.Rabbit.Tests;

/// <summary>
/// The parser against input outside the contract: every case gets one reason, and nothing it hands on (detail,
/// logged id) can upset a log, a PostgreSQL text column or an AMQP header. The random headers and bytes are drawn by
/// CsCheck from a new seed each run; a failing delivery is shrunk and thrown as a <c>CsCheckException</c> whose message
/// names its seed (<c>Set seed: "…" or -e CsCheck_Seed=… to reproduce</c>) and prints the changed headers and the body.
/// To replay it, run that one test with the seed in the environment (CsCheck reads <c>CsCheck_Seed</c> for every
/// <c>Sample</c> in the process, hence the filter), for example
/// <c>CsCheck_Seed=3l78hcAh4lE2 dotnet test --project Tests/QueueLab.Messaging.Tests --no-build --filter-method "*.Random_headers_and_bytes_always_get_exactly_one_outcome_and_never_throw"</c>.
/// The seed's case runs first and the other iterations follow, so a run may end on an equally small case under another
/// seed; while debugging, pass <c>seed: "3l78hcAh4lE2", iter: 1</c> to its <c>Sample</c> to run that case alone.
/// </summary>
public sealed class MessageParserHostileInputTests
{
    private const int Limit = 64 * 1024;

    /// <summary>Headers as the broker delivers them: strings as UTF-8 bytes.</summary>
    private static Dictionary<string, object?> Wire(string id = "m-1", Action<Dictionary<string, object?>>? change = null)
    {
        var headers = MessageFactory.Headers(id, StateTransitions.Validate)
            .ToDictionary(h => h.Key, h => (object?)Encoding.UTF8.GetBytes((string)h.Value!));
        change?.Invoke(headers);
        return headers;
    }

    private static readonly byte[] GoodBody = MessageFactory.Body(new MessageBody("hello"));

    private static ParseResult Parse(Dictionary<string, object?>? headers, byte[]? body = null)
    {
        var result = MessageParser.Parse(headers, body ?? GoodBody, Limit);
        result.IsValid.ShouldBe(result.Reason is null, "exactly one outcome");
        result.Detail.ShouldNotContain('\0');
        result.Detail.ShouldAllBe(c => !char.IsControl(c) && !char.IsSurrogate(c) || char.IsSurrogate(c) && IsPaired(result.Detail, c));
        result.Detail.Length.ShouldBeLessThan(1000);
        if (result.MessageId is { } id)
        {
            id.ShouldAllBe(c => !char.IsControl(c));
            (result.IsValid ? Encoding.UTF8.GetByteCount(id) : id.Length).ShouldBeLessThanOrEqualTo(result.IsValid ? 1024 : 256,
                "a valid id is within the contract; a rejected one is logged cut");
        }

        return result;
    }

    private static bool IsPaired(string text, char c)
    {
        var i = text.IndexOf(c, StringComparison.Ordinal);
        return char.IsHighSurrogate(c) ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) : i > 0 && char.IsHighSurrogate(text[i - 1]);
    }

    public static TheoryData<string, object> IdsOfTheWrongType => new()
    {
        { "int", 42 },
        { "long", 42L },
        { "bool", true },
        { "double", 1.5 },
        { "decimal", 1.5m },
        { "timestamp", new AmqpTimestamp(1) },
        { "table", new Dictionary<string, object?> { ["id"] = "nested" } },
        { "array", new List<object?> { "a" } },
        { "byte array", new BinaryTableValue([0x61]) },
    };

    [Theory]
    [MemberData(nameof(IdsOfTheWrongType))]
    public void A_message_id_that_is_not_a_string_is_an_invalid_header(string kind, object id)
    {
        var result = Parse(Wire(change: h => h[MessageHeaders.MessageId] = id));
        result.Reason.ShouldBe(DeadLetterReason.InvalidHeader, kind);
        result.Detail.ShouldContain(MessageHeaders.MessageId);
        result.MessageId.ShouldNotBeNull("the log still names what came");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0x61, 0xC0, 0xAF })]       // overlong '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]       // an encoded surrogate
    [InlineData(new byte[] { 0x61, 0xE2, 0x82 })]       // cut in the middle of a character
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // beyond U+10FFFF
    public void A_message_id_of_invalid_utf8_is_an_invalid_header_not_a_replacement_character(byte[] id)
    {
        var result = Parse(Wire(change: h => h[MessageHeaders.MessageId] = id));
        result.Reason.ShouldBe(DeadLetterReason.InvalidHeader);
        result.Detail.ShouldContain("invalid UTF-8");
    }

    [Fact]
    public void A_dotnet_string_id_with_a_lone_surrogate_is_an_invalid_header() =>
        Parse(Wire(change: h => h[MessageHeaders.MessageId] = "a\ud800")).Reason.ShouldBe(DeadLetterReason.InvalidHeader);

    [Theory]
    [InlineData("m\0")]
    [InlineData("\0")]
    [InlineData("m\u001f")]
    [InlineData("m\u007f")]
    [InlineData("m\u0085")]
    [InlineData("line\nbreak")]
    public void A_message_id_with_a_control_character_is_an_invalid_header_and_is_logged_escaped(string id)
    {
        var result = Parse(Wire(id));
        result.Reason.ShouldBe(DeadLetterReason.InvalidHeader);
        result.Detail.ShouldContain("control character U+");
        result.MessageId.ShouldBe(Printable.Escape(id, 128));
    }

    [Theory]
    [InlineData("order-42", null)]
    [InlineData("", "is empty")]
    [InlineData(" ", "is empty")]
    [InlineData("a\0b", "contains the control character U+0000")]
    [InlineData("\U0001F600", null)]
    public void The_id_rule_is_one_function_the_publisher_shares(string id, string? problem) =>
        MessageIds.Problem(id).ShouldBe(problem);

    [Fact]
    public void An_id_with_a_lone_surrogate_is_not_valid_unicode() =>
        MessageIds.Problem("a" + '\ud800').ShouldBe("is not valid Unicode (a lone surrogate)"); // (an attribute cannot carry one: metadata is UTF-8)

    [Fact]
    public void A_message_id_may_have_up_to_1024_utf8_bytes()
    {
        Parse(Wire(new string('a', 1024))).IsValid.ShouldBeTrue();
        Parse(Wire(new string('é', 512))).IsValid.ShouldBeTrue("512 x 2 bytes");

        var tooLong = Parse(Wire(new string('é', 513)));
        tooLong.Reason.ShouldBe(DeadLetterReason.InvalidHeader);
        tooLong.Detail.ShouldContain("1026 bytes; the limit is 1024");
        tooLong.MessageId!.Length.ShouldBeLessThanOrEqualTo(128, "the log gets a cut id");
        Parse(Wire(new string('a', 1_000_000))).Reason.ShouldBe(DeadLetterReason.InvalidHeader);
    }

    [Fact]
    public void A_state_header_of_the_wrong_type_is_an_invalid_header_and_an_odd_state_an_unknown_transition()
    {
        Parse(Wire(change: h => h[MessageHeaders.CurrentState] = 1)).Reason.ShouldBe(DeadLetterReason.InvalidHeader);
        Parse(Wire(change: h => h[MessageHeaders.ProcessingState] = new byte[] { 0xFF })).Reason.ShouldBe(DeadLetterReason.InvalidHeader);

        var nul = Parse(Wire(change: h => h[MessageHeaders.NextState] = "VALIDATED\0"u8.ToArray()));
        nul.Reason.ShouldBe(DeadLetterReason.UnknownTransition);
        nul.Detail.ShouldContain("VALIDATED\\u0000");
        nul.MessageId.ShouldBe("m-1");

        Parse(Wire(change: h => h[MessageHeaders.NextState] = new string('X', 100_000))).Detail.Length.ShouldBeLessThan(1000);
    }

    [Fact]
    public void A_void_required_header_is_missing() =>
        Parse(Wire(change: h => h[MessageHeaders.CurrentState] = null)).Reason.ShouldBe(DeadLetterReason.MissingHeader);

    public static TheoryData<object> CountsInRange => [(sbyte)1, (byte)2, (short)3, (ushort)4, 5, 6u, 7L, 8UL, 0, MessageLimits.MaxCount];

    [Theory]
    [MemberData(nameof(CountsInRange))]
    public void A_count_of_any_amqp_integer_type_from_0_to_the_limit_is_read(object count)
    {
        var result = Parse(Wire(change: h => (h[MessageHeaders.RetryCount], h[MessageHeaders.HeldCount]) = (count, count)));
        result.IsValid.ShouldBeTrue(result.Detail);
        result.Message!.RetryCount.ShouldBe(Convert.ToInt32(count, System.Globalization.CultureInfo.InvariantCulture));
        result.Message.HeldCount.ShouldBe(result.Message.RetryCount);
    }

    public static TheoryData<string, object> CountsOutOfContract => new()
    {
        { "negative int", -5 },
        { "negative sbyte", (sbyte)-1 },
        { "negative long", long.MinValue },
        { "above the limit", MessageLimits.MaxCount + 1 },
        { "int max", int.MaxValue },
        { "long max", long.MaxValue },
        { "ulong max", ulong.MaxValue },
        { "digits as a string", "3"u8.ToArray() },
        { "text", "three"u8.ToArray() },
        { "double", 3.0 },
        { "decimal", 3m },
        { "bool", true },
        { "table", new Dictionary<string, object?> { ["n"] = 1 } },
    };

    [Theory]
    [MemberData(nameof(CountsOutOfContract))]
    public void A_count_that_is_negative_huge_or_not_an_integer_is_an_invalid_header(string kind, object count)
    {
        foreach (var header in new[] { MessageHeaders.RetryCount, MessageHeaders.HeldCount })
        {
            var result = Parse(Wire(change: h => h[header] = count));
            result.Reason.ShouldBe(DeadLetterReason.InvalidHeader, $"{header} {kind}");
            result.Detail.ShouldContain(header);
        }
    }

    [Fact]
    public void An_absent_or_void_count_is_zero() =>
        Parse(Wire(change: h => h[MessageHeaders.RetryCount] = null)).Message!.RetryCount.ShouldBe(0);

    public static TheoryData<string, byte[]> BodiesOutOfContract => new()
    {
        { "empty", [] },
        { "whitespace", " \t\r\n"u8.ToArray() },
        { "json null", "null"u8.ToArray() },
        { "not utf-8", [0xFF, 0xFE, 0x00, 0x7B] },
        { "invalid utf-8 in a field the consumer ignores", [.. "{\"payload\":\"x\",\"note\":\""u8, 0xC0, 0xAF, .. "\"}"u8] },
        { "invalid utf-8 in the payload", [.. "{\"payload\":\"x"u8, 0xED, 0xA0, 0x80, .. "\"}"u8] },
        { "a byte order mark", [0xEF, 0xBB, 0xBF, .. GoodBody] },
        { "a lone surrogate escape", "{\"payload\":\"a\\ud800b\"}"u8.ToArray() },
        { "a raw NUL in a string", [.. "{\"payload\":\"a"u8, 0x00, .. "b\"}"u8] },
        { "data after a NUL", [.. GoodBody, 0x00, .. "{}"u8] },
        { "trailing data", [.. GoodBody, .. "x"u8] },
        { "NaN", "{\"payload\":\"x\",\"failTimes\":NaN}"u8.ToArray() },
        { "a number too big for failTimes", "{\"payload\":\"x\",\"failTimes\":99999999999}"u8.ToArray() },
        { "createdAt past year 9999", "{\"payload\":\"x\",\"createdAtUnixMs\":9000000000000000}"u8.ToArray() },
        { "createdAt negative", "{\"payload\":\"x\",\"createdAtUnixMs\":-1}"u8.ToArray() },
        { "payload a number", "{\"payload\":12}"u8.ToArray() },
        { "deep nesting", Encoding.UTF8.GetBytes("{\"payload\":\"x\",\"n\":" + new string('[', 1000) + new string(']', 1000) + "}") },
    };

    [Theory]
    [MemberData(nameof(BodiesOutOfContract))]
    public void A_body_outside_the_contract_is_unparseable(string kind, byte[] body) =>
        Parse(Wire(), body).Reason.ShouldBe(DeadLetterReason.UnparseableBody, kind);

    [Fact]
    public void A_body_that_is_not_utf8_is_refused_naming_the_offset() =>
        Parse(Wire(), [.. "{\"payload\":\"ab"u8, 0xFF]).Detail.ShouldContain("offset 14");

    [Fact]
    public void Headers_over_64_KiB_are_an_invalid_header_so_no_copy_of_them_can_overflow_a_frame()
    {
        var result = Parse(Wire(change: h => h["x-padding"] = new byte[MessageLimits.MaxHeaderBytes]));
        result.Reason.ShouldBe(DeadLetterReason.InvalidHeader);
        result.Detail.ShouldContain("the limit is 65536");
        result.MessageId.ShouldBe("m-1");

        var justUnder = Wire();
        justUnder["x-padding"] = new byte[MessageLimits.MaxHeaderBytes - (int)HeaderSize.Of(justUnder) - 1 - "x-padding".Length - 5];
        HeaderSize.Of(justUnder).ShouldBe(MessageLimits.MaxHeaderBytes);
        Parse(justUnder).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Header_sizes_follow_the_amqp_table_encoding()
    {
        HeaderSize.Of(null).ShouldBe(4);
        HeaderSize.Of(new Dictionary<string, object?> { ["a"] = "bc" }).ShouldBe(4 + 1 + 1 + 5 + 2);
        HeaderSize.Of(new Dictionary<string, object?> { ["é"] = new byte[3], ["n"] = 1, ["l"] = 2L, ["v"] = null }).ShouldBe(4 + (1 + 2 + 5 + 3) + (1 + 1 + 5) + (1 + 1 + 9) + (1 + 1 + 1));
        HeaderSize.Of(new Dictionary<string, object?> { ["t"] = new Dictionary<string, object?> { ["x"] = true }, ["a"] = new List<object?> { (short)1, 1.5 } })
            .ShouldBe(4 + (1 + 1 + 1 + 4 + (1 + 1 + 2)) + (1 + 1 + 5 + 3 + 9));
    }

    [Fact]
    public void The_size_limit_comes_before_any_decoding() =>
        MessageParser.Parse(Wire(change: h => h[MessageHeaders.MessageId] = 42), new byte[Limit + 1], Limit).Reason.ShouldBe(DeadLetterReason.OversizedBody);

    [Fact]
    public void Escaped_control_characters_and_the_latest_timestamp_are_within_the_contract()
    {
        var result = Parse(Wire(), Encoding.UTF8.GetBytes($"{{\"payload\":\"a\\u0000\\t\\ud83d\\ude00\",\"createdAtUnixMs\":{MessageLimits.MaxCreatedAtUnixMs}}}"));
        result.IsValid.ShouldBeTrue(result.Detail);
        result.Message!.Body.Payload.ShouldBe("a\0\t\U0001F600");
    }

    [Fact]
    public void Headers_outside_the_contract_are_ignored_whatever_their_type()
    {
        var result = Parse(Wire(change: h =>
        {
            h["x-nested"] = new Dictionary<string, object?> { ["deep"] = new List<object?> { 1, null } };
            h["x-invalid-utf8"] = new byte[] { 0xFF };
            h[MessageHeaders.TraceParent] = 17;
        }));
        result.IsValid.ShouldBeTrue(result.Detail);
    }

    [Fact]
    public void Random_headers_and_bytes_always_get_exactly_one_outcome_and_never_throw()
    {
        object?[] values = [null, 0, -1, int.MaxValue, long.MinValue, 1.5, true, "NEW"u8.ToArray(), "VALIDATING"u8.ToArray(),
            "VALIDATED"u8.ToArray(), new byte[] { 0xFF }, new byte[] { 0 }, new Dictionary<string, object?>(), new List<object?>(), "", "x\0"];
        string[] names = [.. MessageHeaders.Required, MessageHeaders.RetryCount, MessageHeaders.HeldCount, MessageHeaders.TraceParent];
        // Per header name: -1 keeps the good wire value (chance 2/3), otherwise the index of the value that replaces it.
        var changes = Gen.Frequency((2, Gen.Const(-1)), (1, Gen.Int[0, values.Length - 1])).Array[names.Length];
        // Half good bodies, one byte in two of them overwritten; half 0..63 bytes, either zeros with one byte
        // overwritten or random throughout.
        var bodies = Gen.OneOf(
            Gen.OneOf(Gen.Const(() => GoodBody.ToArray()), WithOneByteChanged(GoodBody)),
            Gen.Int[0, 63].SelectMany(length => length == 0
                ? Gen.Const(() => Array.Empty<byte>())
                : Gen.OneOf(WithOneByteChanged(new byte[length]), Gen.Byte.Array[length])));
        var deliveries =
            from change in changes
            from body in bodies
            select (change, body);
        var outcomes = new ConcurrentDictionary<string, int>();

        deliveries.Sample(delivery =>
        {
            var (change, body) = delivery;
            var headers = Wire(change: h =>
            {
                for (var i = 0; i < names.Length; i++)
                {
                    if (change[i] >= 0)
                    {
                        h[names[i]] = values[change[i]];
                    }
                }
            });

            var result = Parse(headers, body);
            outcomes.AddOrUpdate(result.Reason?.ToHeaderValue() ?? "valid", 1, (_, count) => count + 1);
        }, iter: 5000, print: delivery =>
        {
            var changed = names.Select((name, i) => delivery.change[i] >= 0 ? $"{name}={Show(values[delivery.change[i]])}" : null)
                .OfType<string>().ToList();
            return $"headers {(changed.Count == 0 ? "as on the wire" : "changed: " + string.Join(", ", changed))}; "
                + $"body {Convert.ToHexString(delivery.body)}";
        });

        outcomes.Keys.ShouldBe(["valid", "invalid-header", "missing-header", "unknown-transition", "unparseable-body"], ignoreOrder: true,
            customMessage: "the generator reaches every outcome the headers and body can give");
    }

    private static Gen<byte[]> WithOneByteChanged(byte[] bytes) =>
        from index in Gen.Int[0, bytes.Length - 1]
        from value in Gen.Byte
        select bytes.Select((b, i) => i == index ? value : b).ToArray();

    private static string Show(object? value) => value switch
    {
        null => "null",
        byte[] bytes => $"bytes {Convert.ToHexString(bytes)}",
        string text => $"\"{text.Replace("\0", "\\0", StringComparison.Ordinal)}\"",
        IDictionary<string, object?> table => $"table of {table.Count}",
        IList<object?> list => $"list of {list.Count}",
        _ => $"{value.GetType().Name} {value}",
    };
}
