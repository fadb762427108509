using Microsoft.Extensions.Configuration;
using QueueLab.Ordering;
using QueueLab.Ordering.Options;

namespace QueueLab.Lab.Setup;

/// <summary>
/// Pipeline B's shape as the lab starts it, read once from <c>QueueLab:Ordering:*</c>: the replica counts, and the
/// processors' in-flight limit, work time and system of record (their defaults are the services' own option defaults).
/// The AppHost builds the pipeline from it, and the dashboard's commands and the load suites size their runs by it.
/// </summary>
public sealed record OrderingSetup(int Processors, int Sequencers, int MaxInFlight, TimeSpan WorkTime, SystemOfRecordKind SystemOfRecord)
{
    /// <summary>Pipeline B's partitions (<c>QueueLab:Ordering:Partitions</c>, 1 by default: today's keys). Seq k belongs to
    /// partition k mod P; every processor serves every partition, and the sequencers share the partitions' locks.</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>What order pipeline B keeps (<c>QueueLab:Ordering:Mode</c>: <c>global</c>, the default, or <c>perkey</c>:
    /// each message carries a <c>key</c> and that key's seq, and key k belongs to partition CRC16(k) mod P).</summary>
    public OrderingMode Mode { get; init; }

    public const string Section = "QueueLab:Ordering";

    public static OrderingSetup Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new ProcessorOptions();
        return new OrderingSetup(
            SetupValues.Int(configuration, $"{Section}:Processors", 3, 1, 32),
            SetupValues.Int(configuration, $"{Section}:Sequencers", 2, 1, 32),
            SetupValues.Int(configuration, $"{Section}:Processor:MaxInFlight", defaults.MaxInFlight, 1, 1024),
            SetupValues.Duration(configuration, $"{Section}:Processor:WorkTime", defaults.WorkTime),
            SetupValues.Enum(configuration, $"{Section}:Processor:SystemOfRecord", defaults.SystemOfRecord))
        {
            Partitions = SetupValues.Int(configuration, $"{Section}:Partitions", 1, 1, OrderingKeys.MaxPartitions),
            Mode = SetupValues.Enum(configuration, $"{Section}:Mode", OrderingMode.Global),
        };
    }

    /// <summary>Messages in flight at once over all processors (P x C).</summary>
    public int Slots => Processors * MaxInFlight;

    public string Describe() => $"{Processors} processors x {MaxInFlight} in flight, {WorkTime.TotalMilliseconds:0.###} ms work, {Sequencers} sequencers"
        + (Partitions > 1 ? $", {Partitions} partitions" : "") + (Mode == OrderingMode.PerKey ? ", order per key" : "");
}
