using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Lab.Commands;

/// <summary>
/// One of the lab's two systems as a row on the dashboard (<c>ordering</c>: pipeline B, <c>rabbit</c>: pipeline A): its
/// services are its children, its commands run scenarios against it, its console log shows the runs, and its state says
/// whether a run is going on.
/// </summary>
public sealed class PipelineResource(string name, string description) : Resource(name)
{
    public const string Idle = "Idle";

    public string Description { get; } = description;
}
