using OpenTelemetry.Trace;

namespace QueueLab.Telemetry;

/// <summary>
/// Starts at most <c>perSecond</c> new traces per second in this process (one every <c>1 / perSecond</c> s, no bursts):
/// under load a service that makes a span per message records a steady trickle of whole traces instead of one per
/// message. Meant as the root sampler of a <see cref="ParentBasedSampler"/>, so a span whose parent was sampled is
/// sampled too (a sampled message keeps its whole trace across services) and one whose parent was not is dropped.
/// </summary>
public sealed class RateLimitedSampler : Sampler
{
    private readonly TimeProvider _time;
    private readonly long _interval;
    private long _next;

    public RateLimitedSampler(double perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        _time = time;
        _interval = perSecond > 0 ? (long)(time.TimestampFrequency / perSecond) : long.MaxValue;
        Description = $"RateLimited({perSecond}/s)";
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (_interval == long.MaxValue)
        {
            return new SamplingResult(SamplingDecision.Drop);
        }

        var now = _time.GetTimestamp();
        var next = Volatile.Read(ref _next);
        return now >= next && Interlocked.CompareExchange(ref _next, now + _interval, next) == next
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.Drop);
    }
}
