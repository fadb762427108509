using Shouldly;

namespace QueueLab.AppHost.Tests;

/// <summary>A bad set-up fails at start-up, at once, with a message that says what to fix.</summary>
public sealed class StartupFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_missing_server_binary_in_local_mode_fails_fast_naming_the_package()
    {
        var started = DateTime.UtcNow;
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync(
            "QueueLab:Infrastructure=local", "QueueLab:Binaries:RedisServer=/nonexistent/redis-server"));

        var message = Flatten(error);
        message.ShouldContain("/nonexistent/redis-server");
        message.ShouldContain("apt-get install -y redis-server");
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(30), "it fails before starting anything");
    }

    [Fact]
    public async Task An_unknown_infrastructure_mode_is_refused_with_the_choices()
    {
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync("QueueLab:Infrastructure=kubernetes"));
        Flatten(error).ShouldContain("use one of auto, containers, local");
    }

    [Fact]
    public async Task Two_servers_on_one_port_are_refused()
    {
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync(
            "QueueLab:Infrastructure=local", "QueueLab:Ports:Random=false", "QueueLab:Ports:Redis=15432"));
        Flatten(error).ShouldContain("gives port 15432 to Redis and Postgres");
    }

    private static Task BuildAsync(params string[] args) => ModelBuild.BuildAsync(["QueueLab:Pipelines=none", .. args], Ct);

    private static string Flatten(Exception error) => ModelBuild.Messages(error);
}
