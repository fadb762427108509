using QueueLab.Coordinator;

var builder = WebApplication.CreateBuilder(args);
builder.AddCoordinator();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapCoordinatorEndpoints();
app.Run();
