using System.Diagnostics;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// Asks the container runtime Aspire would use whether its engine answers. Decided before the model is built,
/// so that no container resource exists where nothing can run it (it would wait forever).
/// </summary>
public static class ContainerRuntimeProbe
{
    public static bool Answers(string? configuredRuntime, TimeSpan timeout)
    {
        var candidates = string.IsNullOrWhiteSpace(configuredRuntime) ? ["docker", "podman"] : new[] { configuredRuntime };
        return candidates.Any(runtime => EngineAnswers(runtime, timeout));
    }

    private static bool EngineAnswers(string runtime, TimeSpan timeout)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0 && !string.IsNullOrWhiteSpace(process.StandardOutput.ReadToEnd());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
