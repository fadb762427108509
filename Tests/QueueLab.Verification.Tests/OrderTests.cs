using QueueLab.Verification;

namespace QueueLab.Verification.Tests;

public sealed class OrderTests
{
    private static readonly long[] OneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    private static VerificationReport<long> Check(params long[] output) =>
        InvariantChecker.Check(OneToTen, output, VerificationOptions.Ordered);

    [Fact]
    public void One_late_element_is_reported_once_not_as_everything_after_it()
    {
        var report = Check(1, 2, 3, 4, 6, 7, 8, 5, 9, 10);

        report.Reordered.ShouldBe([new ReorderedEntry<long>(5, ExpectedIndex: 4, OutputIndex: 7, Displacement: 3)]);
        report.Summary.OrderBreaks.ShouldBe(1);
        report.Lost.ShouldBeEmpty();
        report.Passed.ShouldBeFalse();
    }

    [Fact]
    public void One_early_element_has_a_negative_displacement()
    {
        var report = Check(1, 9, 2, 3, 4, 5, 6, 7, 8, 10);

        report.Reordered.ShouldBe([new ReorderedEntry<long>(9, ExpectedIndex: 8, OutputIndex: 1, Displacement: -7)]);
        report.Reordered[0].ToString().ShouldBe("9 (input #8, output #1, 7 early)");
    }

    [Fact]
    public void An_adjacent_swap_is_one_reordered_element()
    {
        var report = Check(1, 2, 4, 3, 5, 6, 7, 8, 9, 10);

        report.Reordered.Length.ShouldBe(1);
        report.Reordered[0].Id.ShouldBeOneOf(3L, 4L);
        report.Summary.OrderBreaks.ShouldBe(1);
    }

    [Fact]
    public void A_fully_reversed_output_reports_all_but_one_element()
    {
        var report = Check([.. OneToTen.Reverse()]);

        report.Reordered.Length.ShouldBe(9);
        report.Summary.OrderBreaks.ShouldBe(9);
    }

    [Fact]
    public void Two_interleaved_blocks_report_the_smaller_block()
    {
        // 6..8 jumped ahead of 3..5: moving the three of them back fixes the order.
        var report = Check(1, 2, 6, 7, 8, 3, 4, 5, 9, 10);

        report.Reordered.Select(r => r.Id).ShouldBe([6L, 7L, 8L]);
        report.Reordered.Select(r => r.Displacement).ShouldBe([-3, -3, -3]);
    }

    [Fact]
    public void Gaps_from_losses_and_positions_from_strays_do_not_count_as_displacement()
    {
        // 3 lost, 99 a stray: 5 still came two delivered elements late (after 6 and 7).
        var report = Check(1, 2, 99, 4, 6, 7, 5, 8, 9, 10);

        report.Lost.ShouldBe([3L]);
        report.Reordered.ShouldBe([new ReorderedEntry<long>(5, ExpectedIndex: 4, OutputIndex: 6, Displacement: 2)]);
    }

    [Fact]
    public void Only_the_first_copy_of_a_duplicate_is_placed()
    {
        // An early duplicate: 8 first shows up too early, then again in place.
        var report = Check(1, 8, 2, 3, 4, 5, 6, 7, 8, 9, 10);

        report.Duplicated.Single().ShouldBe(new DuplicateEntry<long>(8, 2, 1));
        report.Reordered.Single().Id.ShouldBe(8);
    }
}
