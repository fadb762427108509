using QueueLab.LoadSuites.Cli;

namespace QueueLab.LoadSuites.Tests;

public sealed class ArgumentParserTests
{
    [Fact]
    public void Every_option_of_the_issue_is_read()
    {
        var o = ArgumentParser.Parse(["ordered-burst", "--messages", "500", "--rate", "33.6", "--duration", "5m", "--processors", "3",
            "--in-flight", "8", "--work-ms", "500", "--phase", "2", "--report-dir", "/tmp/r", "--cache", "127.0.0.1:16379,password=x=y",
            "--connection-string", "messaging=amqp://u:p@127.0.0.1:15673"]);

        o.Suite.ShouldBe("ordered-burst");
        (o.Messages, o.Rate, o.Duration, o.Processors, o.InFlight, o.WorkMs, o.Phase, o.ReportDirectory)
            .ShouldBe((500, 33.6, TimeSpan.FromMinutes(5), 3, 8, 500.0, 2, "/tmp/r"));
        o.ConnectionStrings[ResourceNames.Cache].ShouldBe("127.0.0.1:16379,password=x=y");
        o.ConnectionStrings[ResourceNames.Messaging].ShouldBe("amqp://u:p@127.0.0.1:15673");
        o.UsesRunningLab.ShouldBeTrue();
    }

    [Theory]
    [InlineData("60s", 60)]
    [InlineData("500ms", 0.5)]
    [InlineData("2m", 120)]
    [InlineData("00:01:30", 90)]
    [InlineData("45", 45)]
    public void Durations_read_with_units(string text, double seconds) =>
        ArgumentParser.Duration("--duration", text).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("--messages", "0")]
    [InlineData("--messages", "many")]
    [InlineData("--duration", "-1s")]
    [InlineData("--connection-string", "novalue")]
    [InlineData("--bogus", "1")]
    public void Bad_arguments_say_what_to_fix(string name, string value) =>
        Should.Throw<UsageException>(() => ArgumentParser.Parse(["ordered-burst", name, value])).Message.ShouldNotBeNullOrWhiteSpace();

    [Theory]
    [InlineData("leader@1s", Ordering.KillTarget.Leader, 1.0)]
    [InlineData("processor@1500ms", Ordering.KillTarget.Processor, 1.5)]
    [InlineData("Leader@2", Ordering.KillTarget.Leader, 2.0)]
    public void A_kill_names_what_and_when(string text, Ordering.KillTarget target, double seconds) =>
        ArgumentParser.Parse(["ordered-burst", "--kill", text]).Kill.ShouldBe(new Ordering.KillPlan(target, TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("leader")]
    [InlineData("@1s")]
    [InlineData("coordinator@1s")]
    [InlineData("leader@soon")]
    public void A_kill_without_a_target_or_a_time_says_what_to_write(string text) =>
        Should.Throw<UsageException>(() => ArgumentParser.Parse(["ordered-burst", "--kill", text])).Message.ShouldContain("--kill");

    [Fact]
    public void Targets_sets_the_issue_targets()
    {
        var o = ArgumentParser.Parse(["ordered-overhead", "--targets"]);
        (o.MinEfficiency, o.MinThroughput, o.MinRatio).ShouldBe((0.95, 10_000.0, 0.5));
    }

    [Fact]
    public void An_unknown_suite_or_phase_is_a_usage_error()
    {
        Should.Throw<UsageException>(() => Suites.SuiteCatalog.Find("nope"));
        Should.Throw<UsageException>(() => Rabbit.RabbitSettings.From(new SuiteOptions { Suite = "rabbit-burst", Phase = 4 }));
    }

    [Fact]
    public void Phase_3_starts_etcd_and_the_coordinators_and_waits_for_the_allocation()
    {
        var settings = Rabbit.RabbitSettings.From(new SuiteOptions { Suite = "rabbit-burst", Phase = 3, Consumers = 6 });
        var profile = settings.Profile();

        profile.AppHostSettings.ShouldContain("QueueLab:Phase=3");
        profile.Resources.ShouldContain(ResourceNames.Etcd);
        profile.Resources.ShouldContain(ResourceNames.Coordinator);
        profile.Resources.Last().ShouldBe(ResourceNames.Consumer);
        settings.Deduplicates.ShouldBeTrue();
        settings.ReadyConsumers(3).ShouldBe((1, 6));
        (settings with { Consumers = 2 }).ReadyConsumers(3).ShouldBe((1, 3));
        (settings with { Phase = 2 }).ReadyConsumers(3).ShouldBe((6, 18));
        (settings with { Phase = 1 }).Deduplicates.ShouldBeFalse();
    }

    [Fact]
    public void Connection_strings_not_on_the_command_line_come_from_the_environment()
    {
        var environment = new Dictionary<string, string> { ["ConnectionStrings__cache"] = "127.0.0.1:1,password=from-env", ["ConnectionStrings__queuelab"] = "Host=env" };
        var o = ArgumentParser.Parse(["rabbit-burst", "--queuelab", "Host=arg"], name => environment.GetValueOrDefault(name));

        o.ConnectionStrings[ResourceNames.Cache].ShouldBe("127.0.0.1:1,password=from-env");
        o.ConnectionStrings[ResourceNames.Database].ShouldBe("Host=arg", "the command line wins");
        o.ConnectionStrings.ContainsKey(ResourceNames.Messaging).ShouldBeFalse();
        o.UsesRunningLab.ShouldBeTrue();
    }

    [Fact]
    public void Set_passes_app_host_settings_in_order_and_memory_growth_bounds_the_soak()
    {
        var options = ArgumentParser.Parse(["ordered-soak", "--set", "QueueLab:Ordering:Sequencer:OutputMaxLength=20000", "--set", " Key =a=b", "--max-memory-growth", "8"]);
        options.LabSettings.ShouldBe(["QueueLab:Ordering:Sequencer:OutputMaxLength=20000", "Key=a=b"]);
        options.MaxMemoryGrowthMb.ShouldBe(8);
        Should.Throw<UsageException>(() => ArgumentParser.Parse(["ordered-soak", "--set", "=1"])).Message.ShouldContain("KEY=VALUE");
        Should.Throw<UsageException>(() => ArgumentParser.Parse(["ordered-soak", "--set", "novalue"])).Message.ShouldContain("KEY=VALUE");
    }
}
