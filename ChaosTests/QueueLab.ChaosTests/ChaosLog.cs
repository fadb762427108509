using System.Globalization;
using System.Text;
using QueueLab.Verification;

namespace QueueLab.ChaosTests;

/// <summary>
/// One line per scenario run: what was done, what the invariant checker found, and how the output recovered. Written to
/// the test's output and to <c>reports/chaos/run-{time}.md</c> under the repository (one file per test run, the source of
/// the figures in docs/chaos.md).
/// </summary>
public static class ChaosLog
{
    private static readonly Lock Sync = new();
    private static readonly string? FilePath = CreateFile();

    public static string? File => FilePath;

    public static void Scenario(string scenario, string fault, VerificationSummary invariants, RecoveryStats? recovery, string? note = null)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"| {scenario} | {fault} | {invariants.Expected} | {invariants.Lost} | {invariants.Duplicated} | {invariants.Reordered} | {invariants.Unexpected} | " +
            $"{(recovery is null ? "-" : $"{recovery.LongestStall.TotalMilliseconds:0} ms")} | " +
            $"{(recovery?.ThroughputBack is { } back ? $"{back.TotalMilliseconds:0} ms" : "-")} | {note ?? ""} |");
        Write(line);
    }

    public static void Write(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (FilePath is null)
        {
            return;
        }

        lock (Sync)
        {
            System.IO.File.AppendAllText(FilePath, line + "\n", Encoding.UTF8);
        }
    }

    private static string? CreateFile()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !System.IO.File.Exists(Path.Combine(root, "QueueLab.sln")))
        {
            root = Path.GetDirectoryName(root);
        }

        if (root is null)
        {
            return null;
        }

        var folder = Path.Combine(root, "reports", "chaos");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        System.IO.File.WriteAllText(path,
            $"# Chaos run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, profile {ChaosProfile.Current.Name}\n\n" +
            "| scenario | fault | expected | lost | duplicated | reordered | unexpected | longest stall | throughput back | note |\n" +
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        return path;
    }
}
