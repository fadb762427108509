using CsCheck;
using QueueLab.Processor;
using QueueLab.Sequencer;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

/// <summary>Pipeline B's partition arithmetic and the fair-share rules of processors and sequencers (pure logic).</summary>
public sealed class PartitionTests
{
    [Fact]
    public void One_partition_is_todays_keys_untagged()
    {
        var keys = OrderingKeys.Partitioned("queuelab:ordering", 1).ShouldHaveSingleItem();

        keys.ShouldBe(OrderingKeys.Default);
        keys.Input.ToString().ShouldBe("queuelab:ordering:input");
        (keys.FirstSeq, keys.Step).ShouldBe((1L, 1L));
        keys.Owns(1).ShouldBeTrue();
        keys.Owns(12345).ShouldBeTrue();
    }

    [Fact]
    public void Each_partition_has_its_own_hash_tagged_keys_and_seq_k_belongs_to_partition_k_mod_P()
    {
        var partitions = OrderingKeys.Partitioned("queuelab:ordering", 3);

        partitions.Select(k => k.Input.ToString()).ShouldBe(["queuelab:ordering:{p0}:input", "queuelab:ordering:{p1}:input", "queuelab:ordering:{p2}:input"]);
        partitions[1].InFlight("proc-1").ToString().ShouldBe("queuelab:ordering:{p1}:in-flight:proc-1", "the reaper's prefixes carry the tag too");
        partitions[1].HeartbeatPrefix.ShouldBe("queuelab:ordering:{p1}:heartbeat:");
        partitions.Select(k => k.FirstSeq).ShouldBe([3L, 1L, 2L]);
        partitions.ShouldAllBe(k => k.Step == 3 && k.Partitions == 3);
        partitions[0].Shared.Sequencers.ToString().ShouldBe("queuelab:ordering:sequencers", "the announcements are shared");
        partitions[2].ForSeq(7).ShouldBe(partitions[1]);
        Enumerable.Range(1, 9).Select(s => partitions.Single(k => k.Owns(s)).Partition).ShouldBe([1, 2, 0, 1, 2, 0, 1, 2, 0]);
    }

    [Fact]
    public void Every_seq_belongs_to_exactly_one_partition_whose_seqs_from_its_first_by_its_step_reach_it()
    {
        Gen.Select(Gen.Int[1, OrderingKeys.MaxPartitions], Gen.Long[1, 9_007_199_254_740_991]).Sample((partitions, seq) =>
        {
            var owners = OrderingKeys.Partitioned("q", partitions).Where(k => k.Owns(seq)).ToList();
            owners.Count.ShouldBe(1);
            var owner = owners[0];
            ((seq - owner.FirstSeq) % owner.Step).ShouldBe(0);
            (seq >= owner.FirstSeq).ShouldBeTrue();
        });
    }

    [Fact]
    public void Partitions_are_limited()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => OrderingKeys.Partitioned("q", 0));
        Should.Throw<ArgumentOutOfRangeException>(() => OrderingKeys.Partitioned("q", OrderingKeys.MaxPartitions + 1));
    }

    [Fact]
    public void A_processor_partition_takes_at_most_its_share_of_the_slots_of_the_partitions_with_input()
    {
        var share = new SlotShare(slots: 8, partitions: 4);
        share.Limit.ShouldBe(2, "four busy partitions share eight slots");
        share.Idle();
        share.Idle();
        share.Limit.ShouldBe(4, "two of them wait on an empty input");
        share.Idle();
        share.Limit.ShouldBe(8);
        share.Idle();
        share.Limit.ShouldBe(8, "never less than every slot for the one that wakes");
        share.Busy();
        share.Busy();
        share.Busy();
        share.Limit.ShouldBe(3, "ceil(8 / 3)");
        new SlotShare(8, 1).Limit.ShouldBe(8, "unpartitioned: every slot, as before");
        new SlotShare(2, 8).Limit.ShouldBe(1);
    }

    [Fact]
    public void A_sequencer_at_its_share_lets_others_ask_first_and_one_above_it_hands_a_partition_over()
    {
        var share = new LeadershipShare(partitions: 3);
        share.ReadySequencers(2);
        share.Share.ShouldBe(2, "ceil(3 / 2)");
        share.AtOrAboveShare.ShouldBeFalse();
        share.Acquired();
        share.Acquired();
        share.AtOrAboveShare.ShouldBeTrue();
        share.AboveShare.ShouldBeFalse();
        share.Acquired();
        share.AboveShare.ShouldBeTrue("three of three with a second sequencer ready");
        share.ReadySequencers(1);
        share.AboveShare.ShouldBeFalse("alone, every partition is its share");
        share.Released();
        share.Held.ShouldBe(2);

        var single = new LeadershipShare(partitions: 1);
        single.ReadySequencers(2);
        single.AtOrAboveShare.ShouldBeFalse("unpartitioned, a standby never waits before asking");
    }
}

/// <summary>Redis Cluster's slot rule and the lab's split of the slots over its primaries (pure logic).</summary>
public sealed class ClusterSlotsTests
{
    [Fact]
    public void The_slot_of_a_key_is_CRC16_of_its_hash_tag_modulo_16384()
    {
        ClusterSlots.Of("123456789").ShouldBe(12739, "the CRC16 check value of the Redis Cluster specification, 0x31C3");
        ClusterSlots.Of("queuelab:ordering:{p1}:input").ShouldBe(ClusterSlots.Of("p1"));
        ClusterSlots.Of("queuelab:ordering:{p1}:in-flight:x").ShouldBe(ClusterSlots.Of("queuelab:ordering:{p1}:claims"));
        ClusterSlots.Of("a{}b").ShouldBe(ClusterSlots.Of("a{}b"), "an empty tag hashes the whole key");
    }

    [Fact]
    public void The_slot_ranges_cover_every_slot_once_and_share_the_partitions_out_evenly()
    {
        Gen.Select(Gen.Int[1, OrderingKeys.MaxPartitions], Gen.Int[1, 6]).Sample((partitions, primaries) =>
        {
            var ranges = ClusterSlots.Ranges(partitions, primaries);
            ranges.Count.ShouldBe(primaries);
            ranges[0].First.ShouldBe(0);
            ranges[^1].Last.ShouldBe(ClusterSlots.Count - 1);
            for (var j = 1; j < ranges.Count; j++)
            {
                ranges[j].First.ShouldBe(ranges[j - 1].Last + 1);
                ranges[j].Last.ShouldBeGreaterThanOrEqualTo(ranges[j].First);
            }

            var perPrimary = OrderingKeys.Partitioned("queuelab:ordering", partitions).Select(k => ClusterSlots.Of(k.Input.ToString()))
                .GroupBy(slot => ranges.ToList().FindIndex(r => slot >= r.First && slot <= r.Last)).Select(g => g.Count()).ToList();
            if (partitions >= primaries)
            {
                perPrimary.Count.ShouldBe(primaries, "every primary holds a partition");
                (perPrimary.Max() - perPrimary.Min()).ShouldBeLessThanOrEqualTo(1);
            }
        });
    }
}
