using QueueLab.LoadRunner;

namespace QueueLab.LoadSuites.Cli;

/// <summary>
/// What the command line (or a test) asks of a suite. Unset values take the suite's defaults; see
/// <see cref="Usage"/> for every option.
/// </summary>
public sealed record SuiteOptions
{
    public required string Suite { get; init; }

    public int? Messages { get; init; }

    /// <summary>Messages per second (soak suites).</summary>
    public double? Rate { get; init; }

    public TimeSpan? Duration { get; init; }

    public int? Processors { get; init; }

    public int? InFlight { get; init; }

    /// <summary>Pipeline B's partitions (<c>QueueLab:Ordering:Partitions</c>).</summary>
    public int? Partitions { get; init; }

    /// <summary>Pipeline B's ordering mode (<c>QueueLab:Ordering:Mode</c>): global, or per key.</summary>
    public QueueLab.Ordering.OrderingMode? Mode { get; init; }

    public double? WorkMs { get; init; }

    /// <summary>Pipeline A phase (1: no dedup, 2: Redis + PostgreSQL dedup, 3: phase 2 + etcd allocation).</summary>
    public int? Phase { get; init; }

    /// <summary>Pipeline A consumer replicas.</summary>
    public int? Consumers { get; init; }

    /// <summary>Outstanding publisher confirms at once (pipeline A runs and the raw RabbitMQ baseline).</summary>
    public int ConfirmWindow { get; init; } = 256;

    /// <summary>The parent folder of the run's report folder; default <c>reports/</c> at the repository root.</summary>
    public string? ReportDirectory { get; init; }

    /// <summary>Connection strings of an already running lab, by resource name (cache, messaging, queuelab).</summary>
    public IReadOnlyDictionary<string, string> ConnectionStrings { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>Where progress and the summary go; default the console.</summary>
    public TextWriter? Output { get; init; }

    public double? MinEfficiency { get; init; }

    /// <summary>End-to-end messages per second at least (overhead and burst suites).</summary>
    public double? MinThroughput { get; init; }

    /// <summary>Pipeline throughput / raw baseline throughput at least.</summary>
    public double? MinRatio { get; init; }

    public TimeSpan? MaxP99 { get; init; }

    /// <summary>Soak: the most messages the input backlog may hold; default max(2 x P x C, 2 s of arrivals).</summary>
    public long? MaxBacklog { get; init; }

    /// <summary>Soak (ordered): the most Redis's used_memory may grow over the run's second half, MB.</summary>
    public double? MaxMemoryGrowthMb { get; init; }

    /// <summary>AppHost settings (<c>key=value</c>, from <c>--set</c>) added to the suite's own for a lab the run starts itself.</summary>
    public IReadOnlyList<string> LabSettings { get; init; } = [];

    /// <summary>Messages sent through before the measured run (warms the services up); null: the suite's default, 0: none.</summary>
    public int? Warmup { get; init; }

    /// <summary>A kill -9 during the measured run (ordered suites, <c>--kill leader@1s</c>): what to kill and when.</summary>
    public QueueLab.LoadSuites.Ordering.KillPlan? Kill { get; init; }

    /// <summary>Skip the raw baseline (overhead and rabbit suites).</summary>
    public bool NoBaseline { get; init; }

    /// <summary>Write no report files (tests that only need the result).</summary>
    public bool NoReport { get; init; }

    /// <summary>The AppHost to start a lab of the run's own with (<c>--apphost</c>, default <c>QUEUELAB_APPHOST</c>).</summary>
    public string? AppHost { get; init; }

    /// <summary>The state folder of a running lab to use (<c>--state-dir</c>, default <c>QUEUELAB_STATE_DIR</c> or the
    /// repository's <c>.queuelab</c>).</summary>
    public string? StateDirectory { get; init; }

    public bool UsesRunningLab => ConnectionStrings.Count > 0;

    /// <summary>These options with the lab's own shape wherever they leave it unset.</summary>
    public SuiteOptions WithLabShape(QueueLab.Lab.Setup.LabSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return this with
        {
            Processors = Processors ?? setup.Ordering.Processors,
            InFlight = InFlight ?? setup.Ordering.MaxInFlight,
            Partitions = Partitions ?? setup.Ordering.Partitions,
            Mode = Mode ?? setup.Ordering.Mode,
            WorkMs = WorkMs ?? setup.Ordering.WorkTime.TotalMilliseconds,
            Phase = Phase ?? setup.Rabbit.Phase,
            Consumers = Consumers ?? setup.Rabbit.Consumers,
        };
    }

    public TextWriter Out => Output ?? Console.Out;

    public const string Usage = """
        usage: dotnet run --project LoadTests/QueueLab.LoadTests -- <suite> [options]

        suites:
          ordered-burst     N messages at once into pipeline B; total time vs ceil(N / (P x C)) x W
          ordered-soak      a constant open-model rate (default 70% of P x C / W) for a duration
          ordered-overhead  work 0 ms, as fast as it goes, vs a raw Redis forwarder on the same Redis
          rabbit-burst      N messages at once into pipeline A; publish -> final state vs raw RabbitMQ
          rabbit-soak       a constant rate into pipeline A for a duration
          idle              the whole lab with no load (default 30 s): each service's CPU, budget 15% of one core

        options:
          --messages N            messages (burst 500, overhead 20000, rabbit-burst 5000)
          --rate R                messages per second (soak)
          --duration D            soak / idle length: 60s, 5m, 00:10:00 (default 60s; idle 30s)
          --processors P          pipeline B processor replicas (default 3)
          --in-flight C           messages in flight per processor (default 8; overhead 64)
          --partitions P          pipeline B partitions: seq k goes to partition k mod P (default 1)
          --mode global|perkey    pipeline B's order: one global order (default), or per key (each run spreads its
                                  messages over 64 keys of its own, key k in partition CRC16(k) mod P)
          --work-ms W             simulated work per message, ms (default 500; overhead 0)
          --phase K               pipeline A phase: 1, 2 or 3 (etcd allocation) (default 2)
          --consumers N           pipeline A consumer replicas (default 3)
          --confirm-window N      outstanding publisher confirms (default 256)
          --report-dir DIR        parent folder of the run's report folder (default reports/)
          --progress MODE         auto, live, plain or none
          --min-efficiency X      fail unless efficiency >= X (ordered-burst)
          --min-throughput X      fail unless end-to-end msgs/s >= X
          --min-ratio X           fail unless pipeline / raw baseline throughput >= X
          --max-p99 D             fail unless the end-to-end p99 < D
          --max-backlog N         soak: fail if the backlog ever exceeds N
          --max-memory-growth MB  ordered-soak: fail if Redis's used_memory grows more than MB over the second half
                                  of the run (flat once past the retention window)
          --kill WHAT@D           ordered suites: kill -9 during the measured run, D after its first push: leader (the
                                  sequencer holding partition 0's lock, and every partition it leads) or processor (one
                                  replica); reports the longest output gap, when the lock moved, and checks as always
          --targets               the issue's targets: efficiency >= 0.95 (ordered-burst), 10000 msgs/s
                                  (ordered-overhead), ratio >= 0.5 (rabbit-burst)
          --warmup N              messages sent through before the measured run (default 2 x P x C;
                                  overhead 1000; rabbit 300); 0 for none
          --no-baseline           skip the raw baseline
          --apphost PATH          start a lab of the run's own: this QueueLab.AppHost.dll (default $QUEUELAB_APPHOST;
                                  ./queuelab bench passes the Release build), random ports, a temporary state folder,
                                  no dashboard, the suite's settings; stopped at the end
          --set KEY=VALUE         an AppHost setting for the lab the run starts (with --apphost), after the suite's
                                  own, e.g. --set QueueLab:Ordering:Sequencer:OutputMaxLength=20000 (repeatable)
          --state-dir DIR         use the running lab of this state folder (default $QUEUELAB_STATE_DIR, else .queuelab
                                  at the repository root: the lab of `./queuelab run`), with its own settings
          --connection-string NAME=VALUE, or --cache V, --messaging V, --queuelab V
                                  use a running lab given by its connection strings (also ConnectionStrings__NAME)

        Which lab: connection strings if given; else a lab of its own with --apphost; else the running lab of the
        state folder (its lab.json). Options left unset take that lab's own shape (P, C, W, phase, consumers).
        The exit code is 0 when every threshold and the invariant check passed, 1 otherwise, 2 for bad usage,
        3 when the run could not complete (the lab did not start or answer).
        """;
}
