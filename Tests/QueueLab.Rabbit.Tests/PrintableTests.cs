using RabbitMQ.Client;

namespace QueueLab.Rabbit.Tests;

public sealed class PrintableTests
{
    [Theory]
    [InlineData("plain", 10, "plain")]
    [InlineData("a\0b", 20, "a\\u0000b")]
    [InlineData("tab\there\r\n", 40, "tab\\u0009here\\u000d\\u000a")]
    [InlineData("abcdefghijkl", 10, "abcdefg...")]
    [InlineData("abcdefghij", 10, "abcdefghij")]
    [InlineData("a\0bcdefghij", 10, "a\\u0000...")]
    public void Control_characters_are_escaped_and_long_text_is_cut(string text, int max, string expected) =>
        Printable.Escape(text, max).ShouldBe(expected);

    [Fact]
    public void Surrogate_pairs_stay_whole_and_lone_surrogates_are_escaped()
    {
        Printable.Escape("x\U0001F600y", 10).ShouldBe("x\U0001F600y");
        Printable.Escape("x\ud800y\udc00", 20).ShouldBe("x\\ud800y\\udc00");
        Printable.Escape("abcde\U0001F600fgh", 9).ShouldBe("abcde...", "a pair is never split by the cut");
    }

    [Fact]
    public void Escaped_text_never_exceeds_its_limit() =>
        Enumerable.Range(4, 60).ShouldAllBe(max => Printable.Escape(new string('\0', 50) + "tail\U0001F600", max).Length <= max);

    [Fact]
    public void Header_values_of_every_type_are_described()
    {
        Printable.Describe(42, 50).ShouldBe("Int32 42");
        Printable.Describe("a\0", 50).ShouldBe("\"a\\u0000\"");
        Printable.Describe(new byte[] { 0x68, 0x69 }, 50).ShouldBe("\"hi\"");
        Printable.Describe(new byte[] { 0xC3, 0x28 }, 50).ShouldBe("2 bytes of invalid UTF-8 (C328)");
        Printable.Describe(new Dictionary<string, object?>(), 50).ShouldBe("a table");
        Printable.Describe(new List<object?>(), 50).ShouldBe("an array");
        Printable.Describe(new BinaryTableValue([1]), 50).ShouldBe("a byte array");
        Printable.Describe(null, 50).ShouldBe("void");
    }
}
