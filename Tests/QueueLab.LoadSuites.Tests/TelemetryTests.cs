using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry.Exporter;
using QueueLab.Lab.Hosting;
using QueueLab.Lab.Setup;
using QueueLab.LoadSuites.Telemetry;

namespace QueueLab.LoadSuites.Tests;

public sealed class TelemetryTests : IDisposable
{
    private const string Key = "test-key-0123456789";
    private readonly string _state = Directory.CreateTempSubdirectory("queuelab-otlp-test-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Key == name).Value;

    private void WriteLabFile(int appHostProcessId) =>
        new LabFile(appHostProcessId, new Dictionary<string, string>(), LabSetup.Read(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()),
            new DashboardOtlp("http://127.0.0.1:18889", "grpc", $"x-otlp-api-key={Key}")).Write(Path.Combine(_state, LabFile.FileName));

    [Fact]
    public void The_standard_variables_win_over_the_lab_file()
    {
        WriteLabFile(7);

        var target = OtlpTargetResolver.Resolve(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), ("OTEL_EXPORTER_OTLP_HEADERS", "a=b")), _state, _ => true);

        target.ShouldBe(new OtlpTarget(new Uri("http://collector:4318"), OtlpExportProtocol.HttpProtobuf, "a=b", "OTEL_EXPORTER_OTLP_ENDPOINT", FromEnvironment: true));
    }

    [Fact]
    public void The_lab_file_is_used_only_while_its_apphost_lives_and_never_when_disabled()
    {
        WriteLabFile(7);

        var target = OtlpTargetResolver.Resolve(Env(), _state, pid => pid == 7).ShouldNotBeNull();
        (target.Endpoint, target.Protocol, target.Headers, target.FromEnvironment)
            .ShouldBe((new Uri("http://127.0.0.1:18889"), OtlpExportProtocol.Grpc, $"x-otlp-api-key={Key}", false));
        target.Describe().ShouldNotContain(Key);

        OtlpTargetResolver.Resolve(Env(), _state, _ => false).ShouldBeNull();
        OtlpTargetResolver.Resolve(Env(("OTEL_SDK_DISABLED", "true")), _state, _ => true).ShouldBeNull();
        OtlpTargetResolver.Resolve(Env(), Path.Combine(_state, "absent"), _ => true).ShouldBeNull();
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
