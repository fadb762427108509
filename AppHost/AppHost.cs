using QueueLab.AppHost.Infrastructure;
using QueueLab.AppHost.Pipelines;
using QueueLab.Lab.Commands;
using QueueLab.Lab.Setup;

// QueueLab:Dashboard=false runs a lab without the dashboard (the load suites' own labs, ./queuelab bench).
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, DisableDashboard = !LabSettings.DashboardEnabled(args) });

// Containers or local processes, and what the lab runs, are decided here, once, before any resource exists. Publishing a
// deployment manifest (`--publisher manifest --output-path <file>`) always lists the servers as containers.
var settings = LabSettings.Read(builder.Configuration, builder.AppHostDirectory, builder.ExecutionContext.IsPublishMode);
var setup = LabSetup.Read(builder.Configuration);
settings.CheckAgainst(setup);
var servers = builder.AddLabServers(settings, setup);
builder.AddLabSummary(settings, setup);
builder.AddTelemetryExportSetting();
builder.AddLabFile(settings, setup);

if (setup.Pipelines.Ordering)
{
    builder.AddOrderingPipeline(servers, setup.Ordering);
}

if (setup.Pipelines.Rabbit)
{
    builder.AddRabbitPipeline(servers, setup.Rabbit, settings.Ports);
}

// The dashboard's commands: scenarios, checks and faults (Lab/QueueLab.Lab.Commands).
builder.AddLabCommands(setup);

builder.Build().Run();
