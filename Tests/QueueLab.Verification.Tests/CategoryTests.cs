using QueueLab.Verification;

namespace QueueLab.Verification.Tests;

public sealed class CategoryTests
{
    private static readonly long[] OneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    [Fact]
    public void An_exact_output_passes_with_all_counts_zero()
    {
        var report = InvariantChecker.Check(OneToTen, OneToTen, VerificationOptions.Ordered);

        report.IsExact.ShouldBeTrue();
        report.Passed.ShouldBeTrue();
        report.Summary.ShouldBe(new VerificationSummary(
            Expected: 10, ExpectedSkipped: 0, Observed: 10, Delivered: 10, Lost: 0, Duplicated: 0, ExtraDeliveries: 0,
            Reordered: 0, OrderBreaks: 0, Unexpected: 0, SkippedButDelivered: 0));
    }

    [Fact]
    public void Lost_ids_are_listed_in_input_order_and_are_not_also_reordered()
    {
        long[] output = [1, 2, 4, 5, 6, 8, 9];

        var report = InvariantChecker.Check(OneToTen, output, VerificationOptions.Ordered);

        report.Lost.ShouldBe([3L, 7L, 10L]);
        report.Reordered.ShouldBeEmpty();
        report.Summary.Lost.ShouldBe(3);
        report.Summary.Delivered.ShouldBe(7);
        report.Passed.ShouldBeFalse();
        report.IsExact.ShouldBeFalse();
    }

    [Fact]
    public void Duplicates_are_listed_with_their_total_count_and_fail_exactly_once()
    {
        long[] output = [1, 2, 3, 3, 4, 5, 6, 7, 3, 8, 9, 10, 10];

        var report = InvariantChecker.Check(OneToTen, output, VerificationOptions.Ordered);

        report.Duplicated.ShouldBe([new DuplicateEntry<long>(3, 3, 2), new DuplicateEntry<long>(10, 2, 11)]);
        report.Summary.Duplicated.ShouldBe(2);
        report.Summary.ExtraDeliveries.ShouldBe(3);
        report.Reordered.ShouldBeEmpty("a redelivered copy later on is a duplicate, not a reordering");
        report.Passed.ShouldBeFalse();
    }

    [Fact]
    public void At_least_once_counts_duplicates_but_passes()
    {
        string[] input = ["a", "b", "c"];

        var report = InvariantChecker.Check(input, ["b", "a", "a", "c", "b"], VerificationOptions.AtLeastOnce);

        report.Passed.ShouldBeTrue();
        report.IsExact.ShouldBeFalse();
        report.Summary.Duplicated.ShouldBe(2);
        report.Summary.ExtraDeliveries.ShouldBe(2);
    }

    [Fact]
    public void At_least_once_still_fails_on_a_loss()
    {
        var report = InvariantChecker.Check(["a", "b"], ["a", "a"], VerificationOptions.AtLeastOnce);

        report.Passed.ShouldBeFalse();
        report.Lost.ShouldBe(["b"]);
    }

    [Fact]
    public void Unexpected_ids_are_listed_once_with_count_and_first_position()
    {
        long[] output = [1, 2, 99, 3, 4, 5, 6, 7, 8, 9, 10, 99, 42];

        var report = InvariantChecker.Check(OneToTen, output, VerificationOptions.Ordered);

        report.Unexpected.ShouldBe([new UnexpectedEntry<long>(99, 2, 2), new UnexpectedEntry<long>(42, 1, 12)]);
        report.Reordered.ShouldBeEmpty();
        report.Summary.Observed.ShouldBe(13);
        report.Passed.ShouldBeFalse();
    }

    [Fact]
    public void Skipped_ids_that_stay_out_are_neither_lost_nor_a_failure()
    {
        long[] output = [1, 2, 4, 5, 6, 7, 8, 10];

        var report = InvariantChecker.Check(OneToTen, output, VerificationOptions.Ordered, skipped: [3L, 9L]);

        report.IsExact.ShouldBeTrue();
        report.Summary.ExpectedSkipped.ShouldBe(2);
        report.Summary.Delivered.ShouldBe(8);
    }

    [Fact]
    public void A_skipped_id_that_comes_out_anyway_fails()
    {
        var report = InvariantChecker.Check(OneToTen, OneToTen, VerificationOptions.Ordered, skipped: [3L]);

        report.SkippedButDelivered.ShouldBe([3L]);
        report.Lost.ShouldBeEmpty();
        report.Duplicated.ShouldBeEmpty();
        report.Passed.ShouldBeFalse();
    }

    [Fact]
    public void A_skipped_id_does_not_make_its_neighbours_out_of_order()
    {
        long[] output = [1, 2, 3, 5, 4, 6, 7, 8, 9, 10];

        var report = InvariantChecker.Check(OneToTen, output, VerificationOptions.Ordered, skipped: [5L]);

        report.SkippedButDelivered.ShouldBe([5L]);
        report.Reordered.ShouldBeEmpty();
    }

    [Fact]
    public void Unordered_mode_ignores_order_but_still_finds_every_other_violation()
    {
        long[] output = [10, 9, 8, 7, 6, 5, 4, 3, 2, 2, 77];

        var report = InvariantChecker.Check(OneToTen, output, VerificationOptions.ExactlyOnce);

        report.Reordered.ShouldBeEmpty();
        report.Summary.OrderBreaks.ShouldBe(0);
        report.Lost.ShouldBe([1L]);
        report.Duplicated.Single().Id.ShouldBe(2);
        report.Unexpected.Single().Id.ShouldBe(77);
    }

    [Fact]
    public void Unordered_shuffled_output_is_exact()
    {
        var report = InvariantChecker.Check(OneToTen, OneToTen.Reverse(), VerificationOptions.ExactlyOnce);

        report.IsExact.ShouldBeTrue();
    }

    [Fact]
    public void Message_queue_pairs_are_checked_exactly_once_per_pair()
    {
        QueuedMessage[] input = [new("m1", "orders"), new("m1", "audit"), new("m2", "orders")];
        QueuedMessage[] output = [new("m2", "orders"), new("m1", "orders"), new("m2", "orders"), new("m3", "orders")];

        var report = InvariantChecker.Check(input, output, VerificationOptions.ExactlyOnce);

        report.Lost.ShouldBe([new QueuedMessage("m1", "audit")]);
        report.Duplicated.Single().Id.ShouldBe(new QueuedMessage("m2", "orders"));
        report.Unexpected.Single().Id.ToString().ShouldBe("m3@orders");
    }

    [Fact]
    public void A_custom_comparer_decides_identity()
    {
        var report = InvariantChecker.Check(
            ["A", "b"], ["a", "B"], VerificationOptions.Ordered, comparer: StringComparer.OrdinalIgnoreCase);

        report.IsExact.ShouldBeTrue();
    }

    [Fact]
    public void An_input_id_listed_twice_is_refused()
    {
        var error = Should.Throw<ArgumentException>(
            () => InvariantChecker.Check([1L, 2L, 1L], [1L, 2L], VerificationOptions.Ordered));

        error.Message.ShouldContain("Input id '1' is listed twice (input #0 and #2)");
    }

    [Fact]
    public void A_skipped_id_outside_the_input_is_refused()
    {
        var error = Should.Throw<ArgumentException>(
            () => InvariantChecker.Check([1L, 2L], [1L, 2L], VerificationOptions.Ordered, skipped: [5L]));

        error.Message.ShouldContain("Skipped id '5' is not one of the input ids");
    }

    [Fact]
    public void Empty_input_and_output_is_exact_and_stray_output_is_not()
    {
        InvariantChecker.Check(Array.Empty<long>(), [], VerificationOptions.Ordered).IsExact.ShouldBeTrue();
        InvariantChecker.Check(Array.Empty<long>(), [7L], VerificationOptions.Ordered).Unexpected.Length.ShouldBe(1);
    }
}
