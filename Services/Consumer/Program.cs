using QueueLab.Consumer;

var builder = WebApplication.CreateBuilder(args);
builder.AddConsumer();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapConsumerEndpoints();
app.Run();
