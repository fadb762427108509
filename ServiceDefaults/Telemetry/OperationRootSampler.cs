using System.Diagnostics;
using OpenTelemetry.Trace;

namespace QueueLab.Telemetry;

/// <summary>
/// Starts traces for operations only. A client call (a Redis command, an SQL statement, an HTTP or gRPC request) made
/// outside any traced operation is a service's own polling, lease keep-alive or housekeeping: it starts no trace of its
/// own. An idle lab made thousands of one-span traces a minute of its polling scripts, which buried the message traces on
/// the dashboard and cost its telemetry intake a third of a core. A client call inside an operation (a message's
/// <c>process</c>, <c>sequence</c> or <c>consume</c> span) follows its parent as before. Every other root span goes to
/// <paramref name="inner"/>. Meant as the root sampler of a <see cref="ParentBasedSampler"/>, which only asks it about
/// spans without a parent.
/// </summary>
public sealed class OperationRootSampler(Sampler inner) : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    public Sampler Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client
            ? Drop
            : Inner.ShouldSample(samplingParameters);
}
