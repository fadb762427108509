using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry.Exporter;
using QueueLab.AppHost.Infrastructure;
using QueueLab.LoadTests.Telemetry;

namespace QueueLab.LoadTests.Tests;

public sealed class TelemetryTests : IDisposable
{
    private const string Key = "test-key-0123456789";
    private readonly string _state = Directory.CreateTempSubdirectory("queuelab-otlp-test-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Key == name).Value;

    [Fact]
    public void The_apphost_prefers_the_grpc_endpoint_and_passes_the_key_as_aspire_does()
    {
        var file = DashboardOtlpFile.From(Env(("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "http://127.0.0.1:18889"),
            ("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "http://127.0.0.1:18891"), ("AppHost:OtlpApiKey", Key)), 42);

        file.ShouldBe(new DashboardOtlpFile("http://127.0.0.1:18889", "grpc", $"x-otlp-api-key={Key}", 42));
    }

    [Fact]
    public void Without_a_grpc_endpoint_http_is_used_without_a_key_no_header_and_without_either_no_file()
    {
        DashboardOtlpFile.From(Env(("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "http://127.0.0.1:18891")), 1)
            .ShouldBe(new DashboardOtlpFile("http://127.0.0.1:18891", "http/protobuf", null, 1));
        DashboardOtlpFile.From(Env(("AppHost:OtlpApiKey", Key)), 1).ShouldBeNull();
    }

    [Fact]
    public void The_file_is_written_for_its_owner_only_and_reads_back()
    {
        var path = Path.Combine(_state, DashboardOtlpFile.FileName);
        var file = new DashboardOtlpFile("http://127.0.0.1:18889", "grpc", $"x-otlp-api-key={Key}", Environment.ProcessId);
        file.Write(path);
        file.Write(path); // overwriting keeps the mode

        DashboardOtlpFile.Read(path).ShouldBe(file);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.GetFiles(_state).ShouldBe([path]);
    }

    [Fact]
    public void The_standard_variables_win_over_the_lab_file()
    {
        new DashboardOtlpFile("http://127.0.0.1:18889", "grpc", $"x-otlp-api-key={Key}", 7).Write(Path.Combine(_state, DashboardOtlpFile.FileName));

        var target = OtlpTargetResolver.Resolve(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), ("OTEL_EXPORTER_OTLP_HEADERS", "a=b")), _state, _ => true);

        target.ShouldBe(new OtlpTarget(new Uri("http://collector:4318"), OtlpExportProtocol.HttpProtobuf, "a=b", "OTEL_EXPORTER_OTLP_ENDPOINT", FromEnvironment: true));
    }

    [Fact]
    public void The_lab_file_is_used_only_while_its_apphost_lives_and_never_when_disabled()
    {
        new DashboardOtlpFile("http://127.0.0.1:18889", "grpc", $"x-otlp-api-key={Key}", 7).Write(Path.Combine(_state, DashboardOtlpFile.FileName));

        var target = OtlpTargetResolver.Resolve(Env(), _state, pid => pid == 7).ShouldNotBeNull();
        (target.Endpoint, target.Protocol, target.Headers, target.FromEnvironment)
            .ShouldBe((new Uri("http://127.0.0.1:18889"), OtlpExportProtocol.Grpc, $"x-otlp-api-key={Key}", false));
        target.Describe().ShouldNotContain(Key);

        OtlpTargetResolver.Resolve(Env(), _state, _ => false).ShouldBeNull();
        OtlpTargetResolver.Resolve(Env(("OTEL_SDK_DISABLED", "true")), _state, _ => true).ShouldBeNull();
        OtlpTargetResolver.Resolve(Env(), Path.Combine(_state, "absent"), _ => true).ShouldBeNull();
    }

    [Fact]
    public void The_state_folder_is_the_scripts_variable_or_queuelab_at_the_repository_root()
    {
        OtlpTargetResolver.StateDirectory(Env(("QUEUELAB_STATE_DIR", _state)), "/").ShouldBe(_state);
        var root = Path.Combine(_state, "repo");
        Directory.CreateDirectory(Path.Combine(root, "LoadTests"));
        File.WriteAllText(Path.Combine(root, "QueueLab.sln"), "");
        OtlpTargetResolver.StateDirectory(Env(), Path.Combine(root, "LoadTests")).ShouldBe(Path.Combine(root, ".queuelab"));
    }

    [Fact]
    public async Task Metrics_and_the_run_span_reach_an_otlp_endpoint_with_the_api_key()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new ConcurrentDictionary<string, string?>();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                received[context.Request.Url!.AbsolutePath] = context.Request.Headers["x-otlp-api-key"];
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }, TestContext.Current.CancellationToken);

        var target = new OtlpTarget(new Uri($"http://127.0.0.1:{port}"), OtlpExportProtocol.HttpProtobuf, $"x-otlp-api-key={Key}", "test", FromEnvironment: false);
        using (LoadTestsTelemetry.Start(target, Env()))
        using (LoadTestsTelemetry.Source.StartActivity("loadtests test"))
        {
        }

        // Disposing flushed both providers; the requests have been answered by now, but allow the listener loop its turn.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (received.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        listener.Stop();
        await serving;
        received.ShouldContainKeyAndValue("/v1/metrics", Key);
        received.ShouldContainKeyAndValue("/v1/traces", Key);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
