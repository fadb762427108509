using System.Net;
using System.Net.Http.Json;
using QueueLab.Rabbit;

namespace QueueLab.RabbitPipeline.Tests;

[Collection(Phase2Collection.Name)]
public sealed class GeneratorTests(Phase2Fixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_built_in_generator_publishes_its_count_at_its_rate_across_the_routing_mix()
    {
        var prefix = $"gen-{Guid.NewGuid():N}"[..12];
        var start = await lab.Publisher.PostAsJsonAsync("/generator/start",
            new { count = 300, rate = 600, directWeight = 1, topicWeight = 1, fanoutWeight = 1, idPrefix = prefix }, Ct);
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted);

        (await lab.Publisher.PostAsJsonAsync("/generator/start", new { count = 1 }, Ct)).StatusCode
            .ShouldBe(HttpStatusCode.Conflict, "one run at a time");

        var status = await Poll.ForAsync(
            () => lab.Publisher.GetFromJsonAsync<Status>("/generator", Ct)!, s => s is { Running: false },
            TimeSpan.FromSeconds(60), "the generator run ends", cancellationToken: TestContext.Current.CancellationToken);
        status!.Confirmed.ShouldBe(300);
        status.ElapsedMs.ShouldBeGreaterThan(300.0 / 600 * 1000 * 0.8, "paced to about 600 messages per second, not faster");

        await Poll.UntilAsync(async () => await lab.Probe.FinalStateQueuesAsync(MessageIdPattern.StartingWith(prefix + "-"), Ct) == 3
            && await lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith(prefix + "-"), Ct) == 300,
            TimeSpan.FromSeconds(60), "every generated message is stored, on all three queues", cancellationToken: TestContext.Current.CancellationToken);

        (await lab.Publisher.PostAsJsonAsync("/generator/start", new { count = 0 }, Ct)).StatusCode
            .ShouldBe(HttpStatusCode.BadRequest, "a run needs a count of at least 1");
    }

    private sealed record Status(bool Running, int Requested, int Sent, int Confirmed, int NotConfirmed, double ElapsedMs);
}
