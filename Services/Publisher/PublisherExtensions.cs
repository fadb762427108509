using Microsoft.Extensions.Options;
using QueueLab.Rabbit;

namespace QueueLab.Publisher;

public static class PublisherExtensions
{
    public const string MessagingConnectionName = "messaging";

    public static WebApplicationBuilder AddPublisher(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(PublisherTelemetry.Name);
        builder.AddRabbitMQClient(MessagingConnectionName, configureConnectionFactory: RabbitConnections.For(builder.Configuration.GetConnectionString(MessagingConnectionName)));

        builder.Services.AddOptions<PublisherOptions>()
            .BindConfiguration(PublisherOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PublisherOptions>, PublisherOptionsValidator>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PublisherTelemetry>();
        builder.Services.AddSingleton<ConfirmedPublisher>();
        builder.Services.AddSingleton<ExchangeDeclarer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExchangeDeclarer>());
        builder.Services.AddSingleton<MessageGenerator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MessageGenerator>());
        builder.Services.AddHealthChecks().AddCheck<ExchangesHealthCheck>("exchanges");
        return builder;
    }
}
