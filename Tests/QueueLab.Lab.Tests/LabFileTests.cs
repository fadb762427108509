using Microsoft.Extensions.Configuration;
using QueueLab.Lab.Hosting;
using QueueLab.Lab.Setup;

namespace QueueLab.Lab.Tests;

/// <summary>The lab file (lab.json) and the dashboard's OTLP details in it.</summary>
public sealed class LabFileTests : IDisposable
{
    private const string Key = "test-key-0123456789";
    private readonly string _state = Directory.CreateTempSubdirectory("queuelab-labfile-test-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Key == name).Value;

    [Fact]
    public void The_apphost_prefers_the_grpc_endpoint_and_passes_the_key_as_aspire_does()
    {
        var otlp = DashboardOtlp.From(Env(("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "http://127.0.0.1:18889"),
            ("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "http://127.0.0.1:18891"), ("AppHost:OtlpApiKey", Key)));

        otlp.ShouldBe(new DashboardOtlp("http://127.0.0.1:18889", "grpc", $"x-otlp-api-key={Key}"));
    }

    [Fact]
    public void Without_a_grpc_endpoint_http_is_used_without_a_key_no_header_and_without_either_nothing()
    {
        DashboardOtlp.From(Env(("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "http://127.0.0.1:18891")))
            .ShouldBe(new DashboardOtlp("http://127.0.0.1:18891", "http/protobuf", null));
        DashboardOtlp.From(Env(("AppHost:OtlpApiKey", Key))).ShouldBeNull();
    }

    [Fact]
    public void The_file_is_written_for_its_owner_only_and_reads_back_with_the_labs_setup()
    {
        var setup = LabSetup.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QueueLab:Pipelines"] = "ordering",
            ["QueueLab:Ordering:Processors"] = "4",
            ["QueueLab:Ordering:Processor:WorkTime"] = "00:00:00",
        }).Build());
        var path = Path.Combine(_state, LabFile.FileName);
        var file = new LabFile(Environment.ProcessId, new Dictionary<string, string> { [ResourceNames.Cache] = "127.0.0.1:1,password=x" }, setup,
            new DashboardOtlp("http://127.0.0.1:18889", "grpc", $"x-otlp-api-key={Key}"));
        file.Write(path);
        file.Write(path); // overwriting keeps the mode

        var read = LabFile.Read(path).ShouldNotBeNull();
        read.Setup.ShouldBe(setup with { Rabbit = read.Setup.Rabbit });
        read.Setup.Ordering.Processors.ShouldBe(4);
        read.Setup.Pipelines.Rabbit.ShouldBeFalse();
        read.ConnectionStrings[ResourceNames.Cache].ShouldBe("127.0.0.1:1,password=x");
        read.IsAlive.ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.GetFiles(_state).ShouldBe([path]);
        LabFile.Read(Path.Combine(_state, "absent.json")).ShouldBeNull();
    }

    [Fact]
    public void The_state_folder_is_the_scripts_variable_or_queuelab_at_the_repository_root()
    {
        LabFile.StateDirectory(_state, "/").ShouldBe(_state);
        var root = Path.Combine(_state, "repo");
        Directory.CreateDirectory(Path.Combine(root, "LoadTests"));
        File.WriteAllText(Path.Combine(root, "QueueLab.sln"), "");
        LabFile.StateDirectory(null, Path.Combine(root, "LoadTests")).ShouldBe(Path.Combine(root, ".queuelab"));
    }
}
