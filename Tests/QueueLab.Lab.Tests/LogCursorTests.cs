using QueueLab.Lab.Rabbit;
using QueueLab.Verification;

namespace QueueLab.Lab.Tests;

/// <summary>The processing-log follower's cursor: rows commit out of id order, and the cursor never passes one that
/// could still appear.</summary>
public sealed class LogCursorTests
{
    private static LogTail Read(long xmin, long xmax, params long[] ids) =>
        new([.. ids.Select(id => new LoggedProcessing(id, new QueuedMessage($"m-{id}", "queue-1"), DateTimeOffset.UnixEpoch))], xmin, xmax);

    [Fact]
    public void Stays_behind_what_was_read_until_every_transaction_running_then_has_ended()
    {
        var cursor = new LogCursor(100);

        // Rows 101 and 103 are visible; 102's transaction (id 501) is still running: xmin 501, xmax 510.
        cursor.Advance(Read(501, 510, 101, 103));
        cursor.After.ShouldBe(100);

        // 501 has ended but 505 (also running at the first read) has not: still behind.
        cursor.Advance(Read(505, 512, 102));
        cursor.After.ShouldBe(100);

        // Everything below 510 has ended: nothing below 103 can appear any more.
        cursor.Advance(Read(511, 515));
        cursor.After.ShouldBe(103);
    }

    [Fact]
    public void Settles_under_steady_load_instead_of_chasing_each_reads_bound()
    {
        var cursor = new LogCursor(0);
        long id = 0;
        for (var read = 0; read < 10; read++)
        {
            // Each read sees 10 new rows; transactions live for about one read: xmin is the previous read's xmax.
            cursor.Advance(Read(100 + (read * 10), 110 + (read * 10), [.. Enumerable.Range(1, 10).Select(_ => ++id)]));
        }

        cursor.After.ShouldBeGreaterThanOrEqualTo(80, "at most a read or two behind");
    }

    [Fact]
    public void Never_moves_back()
    {
        var cursor = new LogCursor(50);
        cursor.Advance(Read(10, 20));
        cursor.Advance(Read(30, 40));
        cursor.After.ShouldBe(50);
    }
}
