using Shouldly;

namespace QueueLab.Verification.Tests;

/// <summary>The per-key check: exactly once over all ids, order only within each key.</summary>
public sealed class PerKeyTests
{
    private static string Key(string id) => id[..id.IndexOf('#', StringComparison.Ordinal)];

    [Fact]
    public void Keys_may_interleave_in_any_way()
    {
        string[] input = ["a#1", "a#2", "b#1", "b#2", "c#1"];
        string[] output = ["b#1", "c#1", "a#1", "b#2", "a#2"];

        var report = InvariantChecker.CheckPerKey(input, output, Key);

        report.IsExact.ShouldBeTrue(report.Render());
        report.Options.Mode.ShouldBe(VerificationMode.OrderedPerKey);
        InvariantChecker.Check(input, output, VerificationOptions.Ordered).Passed.ShouldBeFalse("the same output breaks one global order");
    }

    [Fact]
    public void A_key_out_of_its_order_is_reported_at_its_place_in_the_whole_lists()
    {
        string[] input = ["a#1", "b#1", "a#2", "a#3"];
        string[] output = ["b#1", "a#2", "a#1", "a#3"];

        var report = InvariantChecker.CheckPerKey(input, output, Key);

        report.Passed.ShouldBeFalse();
        var reordered = report.Reordered.ShouldHaveSingleItem();
        (reordered.ExpectedIndex, reordered.OutputIndex).ShouldBe(reordered.Id == "a#1" ? (0, 2) : (2, 1));
        report.Summary.OrderBreaks.ShouldBe(1);
        report.Render().ShouldContain("ordered per key");
    }

    [Fact]
    public void Losses_duplicates_strays_and_skips_are_counted_over_every_key()
    {
        string[] input = ["a#1", "a#2", "b#1", "b#2"];
        string[] output = ["a#1", "a#1", "b#2", "z#1"];

        var report = InvariantChecker.CheckPerKey(input, output, Key, skipped: ["b#1"]);

        (report.Summary.Lost, report.Summary.Duplicated, report.Summary.Unexpected, report.Summary.ExpectedSkipped, report.Summary.Reordered)
            .ShouldBe((1, 1, 1, 1, 0));
        report.Lost.ShouldBe(["a#2"]);
        InvariantChecker.CheckPerKey(input, output, Key, skipped: ["b#1"], allowDuplicates: true).Duplicated.Length.ShouldBe(1);
    }

    [Fact]
    public void Check_refuses_the_per_key_mode_without_keys()
    {
        Should.Throw<ArgumentException>(() => InvariantChecker.Check(["a#1"], ["a#1"], VerificationOptions.OrderedPerKey));
    }
}
