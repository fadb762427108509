using System.Diagnostics;
using System.Text.Json;
using Shouldly;

namespace QueueLab.AppHost.Tests;

/// <summary>
/// The deployment manifest, as a user makes it: the built AppHost run with <c>--publisher manifest</c>. In containers mode
/// it lists every server as a container and every service as a project, wired by connection-string expressions, with the
/// generated credentials as secret parameters (their values nowhere in the file); local mode refuses, saying what to set.
/// </summary>
public sealed class ManifestTests
{
    private static readonly string[] Servers = [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Etcd];

    private static readonly string[] Services =
        [ResourceNames.Processor, ResourceNames.Sequencer, ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Consumer, ResourceNames.Coordinator];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Containers_mode_publishes_every_server_and_service_with_its_secrets_as_parameters()
    {
        using var folder = new TemporaryFolder();
        var manifestPath = Path.Combine(folder.Path, "manifest.json");

        var (exitCode, output) = await PublishAsync(manifestPath, folder.Path, "QueueLab:Infrastructure=containers");

        exitCode.ShouldBe(0, output);
        var text = await File.ReadAllTextAsync(manifestPath, Ct);
        using var manifest = JsonDocument.Parse(text);
        var resources = manifest.RootElement.GetProperty("resources");
        string Type(string name) => resources.GetProperty(name).GetProperty("type").GetString()!;

        foreach (var server in Servers)
        {
            Type(server).ShouldStartWith("container.", customMessage: server);
            resources.GetProperty(server).GetProperty("image").GetString().ShouldNotBeNullOrEmpty();
        }

        foreach (var service in Services)
        {
            Type(service).ShouldStartWith("project.", customMessage: service);
        }

        resources.EnumerateObject().ShouldNotContain(r => r.Value.GetProperty("type").GetString()!.StartsWith("executable.", StringComparison.Ordinal),
            "a deployment runs no local server process");
        var sequencerEnv = resources.GetProperty(ResourceNames.Sequencer).GetProperty("env");
        sequencerEnv.GetProperty("ConnectionStrings__cache").GetString().ShouldBe("{cache.connectionString}");
        resources.GetProperty(ResourceNames.Consumer).GetProperty("env").GetProperty("ConnectionStrings__queuelab").GetString().ShouldBe("{queuelab.connectionString}");

        foreach (var secret in new[] { "messaging-password", "cache-password", "postgres-password", "etcd-password" })
        {
            var parameter = resources.GetProperty(secret);
            parameter.GetProperty("type").GetString().ShouldBe("parameter.v0");
            parameter.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean().ShouldBeTrue(secret);
        }

        // The generated passwords stay in the state folder: none appears in the manifest.
        var credentials = Path.Combine(folder.Path, "state", "credentials.json");
        File.Exists(credentials).ShouldBeTrue("the AppHost generated its credentials as always");
        using var generated = JsonDocument.Parse(await File.ReadAllTextAsync(credentials, Ct));
        var values = generated.RootElement.EnumerateObject().Select(p => p.Value.GetString()).Where(v => v is { Length: > 8 }).ToList();
        values.ShouldNotBeEmpty();
        values.ShouldAllBe(v => !text.Contains(v!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Local_mode_refuses_to_publish_and_says_what_to_set()
    {
        using var folder = new TemporaryFolder();
        var manifestPath = Path.Combine(folder.Path, "manifest.json");

        var (exitCode, output) = await PublishAsync(manifestPath, folder.Path, "QueueLab:Infrastructure=local");

        exitCode.ShouldNotBe(0);
        output.ShouldContain("publish with QueueLab:Infrastructure=containers");
        File.Exists(manifestPath).ShouldBeFalse();
    }

    [Theory]
    [InlineData("ordering", "", new[] { ResourceNames.Cache })]
    [InlineData("ordering", "QueueLab:Ordering:Processor:SystemOfRecord=postgres", new[] { ResourceNames.Cache, ResourceNames.Postgres })]
    [InlineData("rabbit", "", new[] { ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Etcd })]
    [InlineData("none", "", new[] { ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Etcd })]
    public async Task A_lab_starts_only_the_servers_its_pipelines_use(string pipelines, string setting, string[] expected)
    {
        using var folder = new TemporaryFolder();
        var manifestPath = Path.Combine(folder.Path, "manifest.json");

        var (exitCode, output) = await PublishAsync(manifestPath, folder.Path,
            ["QueueLab:Infrastructure=containers", $"QueueLab:Pipelines={pipelines}", .. setting.Length > 0 ? [setting] : (string[])[]]);

        exitCode.ShouldBe(0, output);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath, Ct));
        var resources = manifest.RootElement.GetProperty("resources");
        Servers.Where(s => resources.TryGetProperty(s, out _)).ShouldBe(Servers.Where(expected.Contains), ignoreOrder: true);
    }

    /// <summary>Runs the built AppHost (beside this test, as its project reference put it) in publish mode.</summary>
    private static async Task<(int ExitCode, string Output)> PublishAsync(string manifestPath, string folder, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "QueueLab.AppHost.dll"), "--publisher", "manifest",
            "--output-path", manifestPath, $"QueueLab:StateDir={Path.Combine(folder, "state")}", .. settings])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(
            System.IO.Path.Combine(System.IO.Path.GetTempPath(), "queuelab-manifest-" + Guid.NewGuid().ToString("N")[..12])).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
