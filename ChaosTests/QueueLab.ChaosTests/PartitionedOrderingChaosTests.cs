using QueueLab.Ordering;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// Partitioned pipeline B (3 partitions, seq k in partition k mod 3) under faults: 600 messages at 100/s, the fault once
/// 30% of the output is out, then the exact global order (read by the documented rule over the three outputs) and a
/// bounded stall (the faults: <see cref="PartitionedFaultScenarios"/>). Two sequencers share the three partitions' locks; each
/// processor serves every partition.
/// </summary>
[Collection(PartitionedOrderingChaosCollection.Name)]
public sealed class PartitionedOrderingChaosTests(PartitionedOrderingChaosFixture lab) : PartitionedFaultScenarios(lab, "partitioned")
{
    [Fact]
    public async Task The_two_sequencers_share_the_three_partitions()
    {
        // Each leads at least one partition within a few announcement periods (a sequencer above its share hands one over).
        var leaders = await Poll.ForAsync(LeadersAsync, l => l.All(p => p is not null) && l.Distinct().Count() == OrderingChaosFixture.Sequencers,
            TimeSpan.FromSeconds(30), "both sequencers lead a partition", cancellationToken: TestContext.Current.CancellationToken);
        leaders.GroupBy(l => l).Select(g => g.Count()).Order().ShouldBe([1, 2]);
    }

    [Fact]
    public async Task The_dashboard_shows_each_partitions_leader_and_lag()
    {
        var shown = new string?[lab.Partitions];
        await Poll.UntilAsync(async () =>
        {
            var leaders = await LeadersAsync();
            for (var p = 0; p < lab.Partitions; p++)
            {
                shown[p] = lab.App.ResourceNotifications.TryGetCurrentState(Lab.Commands.OrderingCommands.ResourceName, out var state)
                    ? state.Snapshot.Properties.FirstOrDefault(x => x.Name == Lab.Commands.OrderingPartitionsView.PropertyName(p, lab.Partitions))?.Value as string
                    : null;
            }

            return Enumerable.Range(0, lab.Partitions).All(p => leaders[p] is { } leader && shown[p]?.Contains($"leader sequencer-{leader}", StringComparison.Ordinal) == true);
        }, TimeSpan.FromSeconds(30), "the ordering resource names each partition's leader", cancellationToken: TestContext.Current.CancellationToken);

        shown.ShouldAllBe(s => s!.Contains("lag ") && s.Contains("next seq "));
    }

    [Fact]
    public async Task A_message_pushed_to_another_partitions_input_is_dead_lettered_with_the_input_it_belongs_to()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = lab.Client;
        // Far beyond the next seq, so that the right partition would not have passed it either; its partition is 1, pushed to 0.
        var seq = await client.NextSeqAsync() + (1000 * lab.Partitions);
        seq += (1 - OrderingKeys.PartitionOf(seq, lab.Partitions) + lab.Partitions) % lab.Partitions;
        OrderingKeys.PartitionOf(seq, lab.Partitions).ShouldBe(1);
        await client.Db.ListRightPushAsync(client.Partitions[0].Input, $$"""{"seq":{{seq}},"payload":"misrouted"}""");

        // Looked for by its seq, which no other message has: the dead letters are per partition, so an index taken before the
        // push (across the partitions' lists) would skip it once an earlier scenario left entries in a later partition.
        var entry = (await Poll.ForAsync(async () => await client.DeadLettersAsync(), d => d.Any(e => e.Seq == seq), TimeSpan.FromSeconds(30),
            "the misrouted message is dead-lettered", cancellationToken: ct)).Single(e => e.Seq == seq);

        entry.Reason.ShouldBe(Ordering.Contracts.DeadLetterReasons.WrongPartition);
        entry.Skipped.ShouldBeFalse("it is not partition 0's seq to skip");
        entry.Detail.ShouldContain(client.Partitions[1].Input.ToString());
        (await client.Db.HashExistsAsync(client.Partitions[1].Claims, seq)).ShouldBeFalse("nothing claimed it in its own partition");
        (await client.BacklogAsync()).OutputLag.ShouldBe(0, "nothing is left on its way");
    }

    private async Task<string?[]> LeadersAsync()
    {
        var leaders = new string?[lab.Partitions];
        for (var p = 0; p < leaders.Length; p++)
        {
            leaders[p] = await lab.Client.LeaderAsync(p);
        }

        return leaders;
    }
}
