using QueueLab.Processor;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ProcessorTelemetry.Name);
builder.AddProcessor();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
