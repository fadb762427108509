using Shouldly;

namespace QueueLab.ChaosTests;

public sealed class ChaosProfileTests
{
    [Fact]
    public void The_ci_profile_is_the_default()
    {
        var profile = ChaosProfile.Read(_ => null);

        profile.Name.ShouldBe("ci");
        profile.IsLong.ShouldBeFalse();
        profile.Iterations.ShouldBe(20);
    }

    [Fact]
    public void The_long_profile_takes_its_seed_and_iterations_from_the_environment()
    {
        var values = new Dictionary<string, string> { ["QUEUELAB_CHAOS"] = "long", ["QUEUELAB_CHAOS_SEED"] = "1234", ["QUEUELAB_CHAOS_ITERATIONS"] = "7" };
        var profile = ChaosProfile.Read(name => values.GetValueOrDefault(name));

        (profile.Name, profile.Seed, profile.Iterations).ShouldBe(("long", 1234, 7));
    }

    [Theory]
    [InlineData("QUEUELAB_CHAOS", "forever", "use ci (the default) or long")]
    [InlineData("QUEUELAB_CHAOS_SEED", "abc", "use a whole number")]
    [InlineData("QUEUELAB_CHAOS_ITERATIONS", "0", "above 0")]
    public void A_bad_setting_says_what_to_use(string variable, string value, string advice)
    {
        Should.Throw<InvalidOperationException>(() => ChaosProfile.Read(name => name == variable ? value : null))
            .Message.ShouldContain(advice);
    }

    [Fact]
    public void The_same_seed_draws_the_same_schedule()
    {
        var first = FaultSchedule.Draw(42, 12, FaultSchedule.OrderingFaults);
        var again = FaultSchedule.Draw(42, 12, FaultSchedule.OrderingFaults);
        var other = FaultSchedule.Draw(43, 12, FaultSchedule.OrderingFaults);

        again.ShouldBe(first);
        other.ShouldNotBe(first);
        first.Count.ShouldBe(12);
    }
}
