using QueueLab.LoadSuites.Suites;

namespace QueueLab.LoadSuites.Tests;

/// <summary>The one table of a whole bench, read back from report folders as the suites write them.</summary>
public sealed class BenchTableTests : IDisposable
{
    private readonly string _reports = Directory.CreateTempSubdirectory("queuelab-benchtable-").FullName;

    public void Dispose() => Directory.Delete(_reports, recursive: true);

    private string Folder(string name, string summary, string figures)
    {
        var folder = Path.Combine(_reports, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "summary.csv"), "metric,value\n" + summary);
        File.WriteAllText(Path.Combine(folder, "report.md"), "# run\n\n| figure | value |\n| --- | --- |\n" + figures);
        return folder;
    }

    [Fact]
    public void Puts_each_suites_figures_beside_its_baseline_the_seeds_figure_and_its_target()
    {
        var burst = Folder("20261203-080000-ordered-burst",
            "efficiency,0.985\nmeasured_s,10.66\nideal_s,10.5\nlatency_p50_ms,5200\nlatency_p99_ms,10400\npassed,1\n",
            "| settings | 500 messages at once, 3 x 8, 500 ms |\n| CPU during the run | processor 1.2 s |\n| machine load average (1 min), before -> after | 0.5 -> 2.0 on 2 cores |\n");
        var rabbit = Folder("20261203-080100-rabbit-burst",
            "e2e_throughput,2012.4\nok,5000\nbaseline_throughput,10194\nratio_vs_baseline,0.197\nlatency_p50_ms,1500\nlatency_p99_ms,2900\npassed,0\n",
            "| settings | 5000 messages at once, phase 2 |\n| CPU during the run | consumer 1.93 s, messaging 0.87 s, load runner (this process) 0.65 s; together 3.45 s of 2 cores |\n");
        var idle = Folder("20261203-080200-idle", "services_percent_of_core,12.04\nlatency_p50_ms,1.2\nlatency_p99_ms,191\npassed,1\n", "");

        var runs = BenchTable.Read([idle, rabbit, burst, Path.Combine(_reports, "absent")]);
        var table = BenchTable.Render(runs, "./queuelab bench");

        runs.Select(r => r.Suite).ShouldBe(["ordered-burst", "rabbit-burst", "idle"], "in the order they ran; a missing folder is left out");
        var rows = table.Split('\n').Where(l => l.StartsWith("| ordered-burst", StringComparison.Ordinal) || l.StartsWith("| rabbit-burst", StringComparison.Ordinal)
            || l.StartsWith("| idle", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(3);
        rows[0].ShouldContain("10.66 s, efficiency **0.985**");
        rows[0].ShouldContain("ideal 10.50 s");
        rows[0].ShouldContain(BenchTable.Seed["ordered-burst"]);
        rows[0].ShouldContain("efficiency >= 0.95");
        rows[0].ShouldContain("| passed |");
        rows[0].ShouldContain("0.5 -> 2.0 on 2 cores");
        rows[1].ShouldContain("**2,012 msg/s**");
        rows[1].ShouldContain("10,194 msg/s (0.197)");
        rows[1].ShouldContain("1500.0 / 2900.0 ms");
        rows[1].ShouldContain("**failed**");
        rows[1].ShouldContain("consumer 386 µs, messaging 174 µs, load runner (this process) 130 µs");
        rows[2].ShouldContain("services **12.0%** of one core");
        rows[2].ShouldNotContain("191", customMessage: "the idle suite's probe latencies are not a pipeline's");
        rows.ShouldAllBe(r => r.Count(c => c == '|') == 12, "eleven cells in every row");
    }

    [Fact]
    public void A_row_names_its_lab_settings_and_its_kill_and_leads_with_what_the_kill_cost()
    {
        var killed = Folder("20261204-190000-ordered-burst",
            "efficiency,0.61\nmeasured_s,5.7\nideal_s,3.5\nkill_longest_gap_ms,912.4\nkill_lock_moved_ms,804\npassed,1\n",
            "| settings | 500 messages, 3 processors x 25 in flight, 500 ms work, 3 partitions |\n| lab settings (--set) | QueueLab:Redis:Cluster=true |\n"
            + "| kill | kill -9 of the sequencer leader (partition 0's lock) 1.000 s after the first push: sequencer-abc (pids 1, 2) |\n");
        var plain = Folder("20261204-190100-ordered-burst", "efficiency,0.97\nmeasured_s,3.6\nideal_s,3.5\npassed,1\n", "| settings | 500 messages |\n");

        var rows = BenchTable.Render(BenchTable.Read([killed, plain]), "./queuelab bench ordered-burst --kill leader@1s").Split('\n')
            .Where(l => l.StartsWith("| ordered-burst", StringComparison.Ordinal)).ToList();

        rows[0].ShouldContain("3 partitions; QueueLab:Redis:Cluster=true; kill -9 of the sequencer leader (partition 0's lock) 1.000 s after the first push |");
        rows[0].ShouldContain("5.70 s, efficiency **0.610**; longest output gap after the kill **912 ms** (lock moved in 804 ms)");
        rows[1].ShouldContain("| 500 messages | 3.60 s, efficiency **0.970** |", customMessage: "a run without a kill or --set keeps its plain cells");
    }

    [Fact]
    public void A_ratio_row_gives_the_raw_baselines_cpu_per_message_and_the_ratio_the_cpu_predicts()
    {
        var rabbit = Folder("20261204-220000-rabbit-burst",
            "e2e_throughput,5585\nok,10000\nbaseline_throughput,19393\nratio_vs_baseline,0.288\ncpu_us_per_message,335\n"
            + "baseline_cpu_us_per_message,92.5\ncpu_predicted_ratio,0.2761\ncpu_ratio_services_free,0.4557\npassed,1\n",
            "| CPU during the run | consumer 1.33 s, messaging 0.77 s; together 2.1 s of 2 cores |\n");
        var without = Folder("20261204-220100-rabbit-burst", "e2e_throughput,5585\nok,10000\npassed,1\n",
            "| CPU during the run | consumer 1.33 s, messaging 0.77 s; together 2.1 s of 2 cores |\n");

        var rows = BenchTable.Render(BenchTable.Read([rabbit, without]), "./queuelab bench rabbit-burst").Split('\n')
            .Where(l => l.StartsWith("| rabbit-burst", StringComparison.Ordinal)).ToList();

        rows[0].ShouldContain("consumer 133 µs, messaging 77 µs; raw baseline 93 µs; the CPU predicts a ratio of 0.276, 0.456 if the services cost nothing |");
        rows[1].ShouldContain("consumer 133 µs, messaging 77 µs |", customMessage: "a run without its baseline's CPU keeps the plain cell");

        var overhead = Folder("20261204-220200-ordered-overhead",
            "e2e_throughput,28284\nok,20000\nbaseline_throughput,326101\nratio_vs_baseline,0.087\nredis_main_thread_us_per_message,23.4\nredis_cap_ratio,0.131\npassed,1\n",
            "| CPU during the run | processor 0.40 s, cache 0.52 s; together 0.92 s of 2 cores |\n");
        BenchTable.Render(BenchTable.Read([overhead]), "./queuelab bench ordered-overhead")
            .ShouldContain("processor 20 µs, cache 26 µs; Redis main thread 23.4 µs, which alone caps the ratio at 0.131 |");
    }

    [Fact]
    public void Reads_its_arguments_in_any_order()
    {
        var (folders, output, command) = BenchTable.ParseArguments(["reports/a", "--out", "t.md", "reports/b", "--command", "./queuelab bench idle"]);
        folders.ShouldBe(["reports/a", "reports/b"]);
        (output, command).ShouldBe(("t.md", "./queuelab bench idle"));

        (folders, output, command) = BenchTable.ParseArguments(["reports/a"]);
        folders.ShouldBe(["reports/a"], "the first folder is a folder when no --out comes before it");
        (output, command).ShouldBe(((string?)null, "./queuelab bench"));
    }
}
