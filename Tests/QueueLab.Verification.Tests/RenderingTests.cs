using QueueLab.Verification;

namespace QueueLab.Verification.Tests;

public sealed class RenderingTests
{
    [Fact]
    public void A_failed_ordered_check_renders_every_category_with_ids()
    {
        long[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        long[] output = [1, 2, 4, 6, 5, 7, 7, 8, 99, 10, 9];

        var text = InvariantChecker.Check(input, output, VerificationOptions.Ordered, skipped: [9L]).Render();

        text.ShouldBe("""
            Invariant check (ordered, exactly once): FAILED
              expected 10 (1 to be skipped), observed 11, delivered 8
              lost 1: 3
              duplicated 1 (1 extra delivery): 7 x2
              reordered 1 (1 order break): 6 (input #5, output #3, 1 early)
              unexpected 1: 99 (output #8)
              skipped but delivered 1: 9
            """.ReplaceLineEndings());
    }

    [Fact]
    public void A_passing_check_says_so_and_shows_zero_counts()
    {
        var text = InvariantChecker.Check(["a", "b"], ["b", "a"], VerificationOptions.ExactlyOnce).ToString();

        text.ShouldBe("""
            Invariant check (unordered, exactly once): PASSED
              expected 2, observed 2, delivered 2
              lost 0
              duplicated 0
              reordered: not checked (unordered)
              unexpected 0
              skipped but delivered 0
            """.ReplaceLineEndings());
    }

    [Fact]
    public void Tolerated_duplicates_are_named_in_the_status()
    {
        var report = InvariantChecker.Check(["a", "b"], ["a", "b", "a", "a"], VerificationOptions.AtLeastOnce);

        report.Render().ShouldStartWith("Invariant check (unordered, at least once): PASSED (2 duplicate deliveries tolerated)");
        report.Render().ShouldContain("duplicated 1 (2 extra deliveries): a x3");
    }

    [Fact]
    public void Long_lists_are_truncated_with_the_number_left_out()
    {
        var input = Enumerable.Range(1, 1000).ToArray();

        var report = InvariantChecker.Check(input, input.Take(100), VerificationOptions.Ordered);

        report.Render().ShouldContain("lost 900: 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120 ... and 880 more");
        report.Render(maxItems: 3).ShouldContain("lost 900: 101, 102, 103 ... and 897 more");
        report.Render().Split('\n').Length.ShouldBe(7);
    }

    [Fact]
    public void A_negative_item_limit_is_refused()
    {
        var report = InvariantChecker.Check([1], [1], VerificationOptions.Ordered);

        Should.Throw<ArgumentOutOfRangeException>(() => report.Render(-1));
    }
}
