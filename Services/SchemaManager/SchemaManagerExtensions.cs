namespace QueueLab.SchemaManager;

public static class SchemaManagerExtensions
{
    public const string DatabaseConnectionName = "queuelab";

    public static WebApplicationBuilder AddSchemaManager(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddNpgsqlDataSource(DatabaseConnectionName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SchemaInitializer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SchemaInitializer>());
        builder.Services.AddOptions<SchemaManagerOptions>()
            .BindConfiguration(SchemaManagerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<ProcessingLogRetention>();
        builder.Services.AddHealthChecks().AddCheck<SchemaHealthCheck>("schema");
        return builder;
    }
}
