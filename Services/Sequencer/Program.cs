using QueueLab.Sequencer;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(SequencerTelemetry.Name);
builder.AddSequencer();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
