using System.Diagnostics;
using System.Globalization;
using QueueLab.Lab.Processes;

namespace QueueLab.Lab.Hosting;

/// <summary>
/// A lab of its own for a command-line run: the AppHost, built where the caller says (<c>--apphost</c>, which
/// <c>./queuelab bench</c> points at the Release build), started as a child process with the run's settings, random
/// ports, a temporary state folder and no dashboard; ready once it has written its <see cref="LabFile"/>. Disposing it
/// stops the AppHost with SIGTERM (it stops every server and service it started), kills what is left after a grace
/// period, and deletes the state folder. Its output goes to <c>apphost.log</c> in the state folder.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StreamWriter _log;

    private LabProcess(Process process, StreamWriter log, string stateDirectory, LabFile lab)
    {
        _process = process;
        _log = log;
        StateDirectory = stateDirectory;
        Lab = lab;
    }

    public string StateDirectory { get; }

    public LabFile Lab { get; }

    public int ProcessId => _process.Id;

    public static async Task<LabProcess> StartAsync(string appHostPath, IEnumerable<string> settings, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(appHostPath))
        {
            throw new FileNotFoundException(
                $"No AppHost at {appHostPath}: build it first (./queuelab bench does: dotnet build QueueLab.sln -c Release), or pass --apphost with its QueueLab.AppHost.dll.",
                appHostPath);
        }

        var state = Path.Combine(Path.GetTempPath(), $"queuelab-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        // Listing and reading owner-only (the AppHost keeps the lab's generated credentials there, in owner-only files, and its
        // log beside them); others may only pass through (x), as PostgreSQL, running as its own user, must to reach its data
        // folder inside: without that its initdb fails and the lab never comes up.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(state);
        }
        else
        {
            Directory.CreateDirectory(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(appHostPath))!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.GetFullPath(appHostPath));
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        foreach (var setting in new[] { "QueueLab:Ports:Random=true", $"QueueLab:StateDir={state}", "QueueLab:Dashboard=false", "QueueLab:Telemetry:Export=false" })
        {
            start.ArgumentList.Add(setting);
        }

        // Its own environment, not the caller's lab's: no OTLP endpoint of another dashboard, no inherited Aspire settings.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPIRE_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)
                     || k.StartsWith("DOTNET_DASHBOARD", StringComparison.Ordinal) || k == LabFile.StateDirectoryVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";

        var log = new StreamWriter(Path.Combine(state, "apphost.log")) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var path = Path.Combine(state, LabFile.FileName);
        LabFile? lab = null;
        try
        {
            await Poll.UntilAsync(() => process.HasExited || (lab = LabFile.Read(path)) is not null, timeout,
                $"the AppHost (pid {process.Id}) describes its lab in {path}", TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            if (lab is null)
            {
                throw new InvalidOperationException(
                    $"The AppHost exited with code {process.ExitCode} before its lab was up; its output: {Path.Combine(state, "apphost.log")}");
            }

            return new LabProcess(process, log, state, lab);
        }
        catch
        {
            await StopAsync(process, log, state, keepState: true).ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(_process, _log, StateDirectory, keepState: false));

    private static async Task StopAsync(Process process, StreamWriter log, string state, bool keepState)
    {
        if (!process.HasExited)
        {
            using var signal = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (signal is not null)
            {
                await signal.WaitForExitAsync().ConfigureAwait(false);
            }

            try
            {
                await process.WaitForExitAsync().WaitAsync(StopGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                ProcessTree.KillAll(ProcessTree.OfAppHost(process.Id));
            }
        }

        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }

        if (!keepState)
        {
            await DeleteStateAsync(state).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes the lab's state folder (its data and its generated credentials). The orchestrator stops the servers after
    /// the AppHost has exited, so a server can still be writing into its folder for a few seconds (a delete then fails
    /// with "directory not empty"): try again for up to 30 s, then say what is left rather than leave it silently.
    /// </summary>
    private static async Task DeleteStateAsync(string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if (Directory.Exists(state))
                {
                    Directory.Delete(state, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    await Console.Error.WriteLineAsync($"queuelab: could not delete the lab's state folder {state} ({ex.Message}); delete it by hand.").ConfigureAwait(false);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            }
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The lab is being stopped.
            }
        }
    }
}
