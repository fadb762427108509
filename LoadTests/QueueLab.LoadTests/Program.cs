using System.Runtime.InteropServices;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Suites;
using QueueLab.LoadSuites.Telemetry;
using QueueLab.LoadTests;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop the run and still write the report and stop the lab; a second one kills the process.
    if (!stop.IsCancellationRequested)
    {
        e.Cancel = true;
        stop.Cancel();
    }
};

// SIGTERM (kill, timeout, a CI runner giving up) stops the run the same way, so the lab the run started is stopped too.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

// `summarize <report folder>... [--out FILE] [--command TEXT]`: the one table of a whole `./queuelab bench`.
if (args is ["summarize", .. var rest])
{
    var (folders, output, command) = BenchTable.ParseArguments(rest);
    var table = BenchTable.Render(BenchTable.Read(folders), command);
    if (output is not null)
    {
        await File.WriteAllTextAsync(output, table);
    }

    await Console.Out.WriteAsync(table);
    return 0;
}

SuiteOptions options;
try
{
    options = ArgumentParser.Parse(args, Environment.GetEnvironmentVariable);
}
catch (UsageException ex)
{
    if (ex.HasMessage)
    {
        await Console.Error.WriteLineAsync("error: " + ex.Message);
    }

    await Console.Error.WriteLineAsync(SuiteOptions.Usage);
    return ex.HasMessage ? 2 : 0;
}

// Metrics and a span per run over OTLP: to OTEL_EXPORTER_OTLP_ENDPOINT when set, else to a running `./queuelab run`
// lab's dashboard (its endpoint and key from the lab state folder). Disposed (flushed) before the process exits.
using var telemetry = LoadTestsTelemetry.StartFromEnvironment();
if (telemetry.Target is { } target)
{
    await options.Out.WriteLineAsync($"telemetry: metrics and traces to {target.Describe()}");
}

using var run = LoadTestsTelemetry.Source.StartActivity($"loadtests {options.Suite}");
run?.SetTag("queuelab.suite", options.Suite);
try
{
    await using var lab = await LabChoice.OpenAsync(options, stop.Token);
    var (outcome, _) = await SuiteHost.RunAsync(lab.Options, lab.Lab, stop.Token);
    run?.SetTag("queuelab.exit_code", outcome.Result.ExitCode);
    return outcome.Result.ExitCode;
}
catch (UsageException ex)
{
    await Console.Error.WriteLineAsync("error: " + ex.Message);
    return 2;
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    // The lab did not start or answer (a busy machine can need more than the start timeout): no result.
    await Console.Error.WriteLineAsync($"error: the run could not complete: {ex.GetType().Name}: {ex.Message}");
    return 3;
}
