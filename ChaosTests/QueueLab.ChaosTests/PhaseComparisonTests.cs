using System.Collections.Concurrent;
using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// The same fault schedule against pipeline A in phases 1, 2 and 3: a consumer killed (-9) mid-processing, 20 messages
/// published again with the same id as a publisher does after losing their confirms, and every RabbitMQ connection
/// dropped. Phase 1 (no deduplication) must show the duplicates; phases 2 and 3 must not; no phase may lose a message.
/// </summary>
public static class PhaseComparison
{
    public const int Republished = 20;
    private static readonly ConcurrentDictionary<int, RabbitChaosResult> Results = new();

    public static async Task<RabbitChaosResult> RunAsync(RabbitChaosFixture lab)
    {
        var result = await RabbitChaos.RunAsync(lab, "phase comparison schedule", async context =>
        {
            var killed = await FaultSchedule.Rabbit["kill-consumer"](lab);
            var again = await context.RepublishAsync(Republished);
            await context.WaitProcessedShareAsync(0.6);
            var dropped = await FaultSchedule.Rabbit["drop-rabbitmq-connections"](lab);
            return $"{killed}; {again} confirmed messages published again; {dropped}";
        });
        Results[lab.Phase] = result;
        ChaosLog.Write("");
        ChaosLog.Write("| phase | expected pairs | lost | duplicated (extra deliveries) | reordered per queue (not promised) | final states missing |");
        ChaosLog.Write("|---|---:|---:|---:|---:|---:|");
        foreach (var (phase, r) in Results.OrderBy(p => p.Key))
        {
            ChaosLog.Write($"| {phase} | {r.Summary.Expected} | {r.Summary.Lost} | {r.Summary.Duplicated} ({r.Summary.ExtraDeliveries}) | {r.ReorderedPerQueue} | {r.MissingFinalStates} |");
        }

        ChaosLog.Write("");
        return result;
    }
}

[Collection(Phase1ChaosCollection.Name)]
public sealed class Phase1ComparisonTests(Phase1ChaosFixture lab)
{
    [Fact]
    public async Task Phase_1_processes_the_duplicates_twice_and_loses_nothing()
    {
        var result = await PhaseComparison.RunAsync(lab);

        result.Summary.Lost.ShouldBe(0);
        result.MissingFinalStates.ShouldBe(0);
        result.Summary.Unexpected.ShouldBe(0);
        // At least the republished messages' pairs come out twice: phase 1 has no check before processing.
        result.Summary.Duplicated.ShouldBeGreaterThanOrEqualTo(PhaseComparison.Republished);
    }
}

[Collection(Phase2ChaosCollection.Name)]
public sealed class Phase2ComparisonTests(Phase2ChaosFixture lab)
{
    [Fact]
    public async Task Phase_2_processes_every_message_exactly_once() =>
        RabbitChaosTests.AssertExactlyOnce(await PhaseComparison.RunAsync(lab));
}

[Collection(Phase3ChaosCollection.Name)]
public sealed class Phase3ComparisonTests(Phase3ChaosFixture lab) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => new(lab.RestoreAsync());

    public ValueTask DisposeAsync() => new(lab.RestoreAsync());

    [Fact]
    public async Task Phase_3_processes_every_message_exactly_once() =>
        RabbitChaosTests.AssertExactlyOnce(await PhaseComparison.RunAsync(lab));
}
