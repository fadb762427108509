using QueueLab.SchemaManager;

var builder = WebApplication.CreateBuilder(args);
builder.AddSchemaManager();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
