using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using QueueLab.Lab.Setup;

namespace QueueLab.Lab.Hosting;

/// <summary>
/// A running lab, as its AppHost describes it to the processes it did not start (the load suites' command line,
/// <c>./queuelab env</c>): the connection string of every server, what it runs (<see cref="LabSetup"/>), and its
/// dashboard's OTLP endpoint and key when it has one. Kept in the lab state folder as <c>lab.json</c>, readable by its
/// owner only (it holds passwords, like <c>credentials.json</c> beside it), written once the servers' endpoints are
/// allocated and deleted when the AppHost stops; a file whose AppHost process is gone is stale.
/// </summary>
public sealed record LabFile(
    [property: JsonPropertyName("appHostProcessId")] int AppHostProcessId,
    [property: JsonPropertyName("connectionStrings")] IReadOnlyDictionary<string, string> ConnectionStrings,
    [property: JsonPropertyName("setup")] LabSetup Setup,
    [property: JsonPropertyName("dashboard")] DashboardOtlp? Dashboard)
{
    public const string FileName = "lab.json";

    /// <summary>The state folder of the lab a command refers to: <c>QUEUELAB_STATE_DIR</c>, else <c>.queuelab</c> at the
    /// root of the repository the working directory is in (the folder that holds <c>QueueLab.sln</c>).</summary>
    public const string StateDirectoryVariable = "QUEUELAB_STATE_DIR";

    public bool IsAlive => ProcessAlive(AppHostProcessId);

    /// <summary>Writes the file so that no other user can read it at any moment: created 0600 under a temporary name, then renamed.</summary>
    public void Write(string path)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, create))
            {
                JsonSerializer.Serialize(stream, this);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads the file; null when it is absent or not a valid one.</summary>
    public static LabFile? Read(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<LabFile>(File.ReadAllText(path));
            return file is { AppHostProcessId: > 0, ConnectionStrings: not null, Setup: not null } ? file : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The lab state folder to look in: <paramref name="configured"/> (<c>QUEUELAB_STATE_DIR</c>), else
    /// <c>.queuelab</c> at the repository root above <paramref name="workingDirectory"/>.</summary>
    public static string? StateDirectory(string? configured, string workingDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(workingDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QueueLab.sln")))
            {
                return Path.Combine(dir.FullName, ".queuelab");
            }
        }

        return null;
    }

    public static bool ProcessAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
