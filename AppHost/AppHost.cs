using QueueLab.AppHost.Commands;
using QueueLab.AppHost.Infrastructure;
using QueueLab.AppHost.Pipelines;

var builder = DistributedApplication.CreateBuilder(args);

// Containers or local processes is decided here, before any resource exists.
var settings = LabSettings.Read(builder.Configuration, builder.AppHostDirectory);
var servers = builder.AddLabServers(settings);
builder.AddLabSummary(settings);
builder.AddTelemetryExportSetting();
builder.AddDashboardOtlpFile(settings);

var pipelines = PipelineSelection.Read(builder.Configuration);
if (pipelines.Ordering)
{
    builder.AddOrderingPipeline(servers);
}

if (pipelines.Rabbit)
{
    builder.AddRabbitPipeline(servers);
}

// The dashboard's commands: scenarios, checks and faults (AppHost/Commands).
builder.AddLabCommands(settings, pipelines);

builder.Build().Run();
