using QueueLab.Publisher;

var builder = WebApplication.CreateBuilder(args);
builder.AddPublisher();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapPublisherEndpoints();
app.Run();
