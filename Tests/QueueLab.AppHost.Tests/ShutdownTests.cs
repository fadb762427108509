using QueueLab.Lab.Processes;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.AppHost.Tests;

/// <summary>Stopping the lab stops every process it started (servers, their children, epmd) and nothing else.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task After_the_app_stops_none_of_its_server_processes_is_left()
    {
        var lab = new ServersFixture();
        var started = new List<int>();
        try
        {
            await lab.InitializeAsync();
            foreach (var name in new[] { ResourceNames.Messaging, "messaging-epmd", ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Etcd })
            {
                var pids = lab.Resources.ProcessIds(name);
                pids.ShouldNotBeEmpty($"{name} runs as a process");
                started.AddRange(pids.SelectMany(ProcessTree.Of));
            }

            started.Count.ShouldBeGreaterThanOrEqualTo(5);
            ProcessTree.Matching(lab.StateDirectory).ShouldNotBeEmpty("the servers' command lines name the state folder");
        }
        finally
        {
            await lab.DisposeAsync();
        }

        await Poll.UntilAsync(() => started.All(pid => !ProcessTree.IsAlive(pid)), TimeSpan.FromSeconds(30),
            "every process the lab started has exited: still alive: " +
            string.Join(", ", started.Where(ProcessTree.IsAlive).Select(p => $"{p} {ProcessTree.CommandLine(p)}")), cancellationToken: TestContext.Current.CancellationToken);
        ProcessTree.Matching(lab.StateDirectory).ShouldBeEmpty();
    }
}
