using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Rabbit;
using Shouldly;

namespace QueueLab.LoadSuites.Tests;

/// <summary>What a run waits for before it starts: every running replica, not a crashed one (the chaos commands run
/// suites on a degraded lab on purpose).</summary>
public sealed class ReadyTargetTests
{
    private static LabConnections Lab(bool startedBySuite, Func<string, IReadOnlyList<int>>? processIds) =>
        new(new Dictionary<string, string>(), startedBySuite) { ProcessIds = processIds };

    [Fact]
    public void Waits_for_the_replicas_running_now_when_the_lab_can_say()
    {
        var lab = Lab(true, name => name == ResourceNames.Processor ? [101, 102] : []);
        lab.ReadyTarget(ResourceNames.Processor, shape: 3).ShouldBe(2, "one of three processors crashed");
        lab.ReadyTarget(ResourceNames.Sequencer, shape: 2).ShouldBe(2, "none seen running yet: the shape");
    }

    [Fact]
    public void Never_waits_for_more_than_the_shape_and_waits_for_one_when_the_shape_is_unknown()
    {
        Lab(true, _ => [1, 2, 3, 4, 5, 6]).ReadyTarget(ResourceNames.Processor, shape: 3).ShouldBe(3, "launchers and apps may both be counted");
        Lab(true, null).ReadyTarget(ResourceNames.Processor, shape: 3).ShouldBe(3);
        Lab(false, _ => [1, 2]).ReadyTarget(ResourceNames.Processor, shape: 3).ShouldBe(1);
    }

    [Fact]
    public void A_rabbit_run_waits_for_the_consumers_running_now()
    {
        var settings = new RabbitSettings(Phase: 2, Consumers: 3, ConfirmWindow: 256);
        settings.ReadyConsumers(Lab(true, _ => [7, 8]), queues: 3).ShouldBe((2, 6));
        settings.ReadyConsumers(Lab(false, null), queues: 3).ShouldBe((1, 3));
    }
}
