using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace QueueLab.Telemetry;

/// <summary>
/// How many traces a service starts: <c>QueueLab:Telemetry:MaxTracesPerSecond</c> (default <see cref="DefaultMaxTracesPerSecond"/>)
/// new traces per second and process, through <see cref="RateLimitedSampler"/>; a span with a parent follows the
/// parent's decision. <c>0</c> starts none (only traces a producer started and sampled continue); <c>-1</c> samples
/// every trace (the OpenTelemetry default, for debugging: at 10,000 messages a second that is the run's biggest cost).
/// Either way a client call made outside any operation (polling, lease keep-alives, housekeeping) starts no trace
/// (<see cref="OperationRootSampler"/>); <c>QueueLab:Telemetry:TraceHousekeeping=true</c> traces those too.
/// </summary>
public static class TraceSampling
{
    public const string Key = "QueueLab:Telemetry:MaxTracesPerSecond";

    public const string HousekeepingKey = "QueueLab:Telemetry:TraceHousekeeping";

    public const double DefaultMaxTracesPerSecond = 50;

    public static Sampler FromConfiguration(IConfiguration configuration)
    {
        var text = configuration[Key];
        var perSecond = DefaultMaxTracesPerSecond;
        if (text is not null && (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out perSecond)
            || (perSecond < 0 && perSecond != -1) || double.IsNaN(perSecond)))
        {
            throw new InvalidOperationException($"{Key} is '{text}'; use a number of traces per second (0 or more), or -1 to sample every trace.");
        }

        var housekeepingText = configuration[HousekeepingKey];
        var housekeeping = false;
        if (housekeepingText is not null && !bool.TryParse(housekeepingText, out housekeeping))
        {
            throw new InvalidOperationException($"{HousekeepingKey} is '{housekeepingText}'; use true or false.");
        }

        Sampler root = perSecond == -1 ? new AlwaysOnSampler() : new RateLimitedSampler(perSecond, TimeProvider.System);
        return new ParentBasedSampler(housekeeping ? root : new OperationRootSampler(root));
    }
}
