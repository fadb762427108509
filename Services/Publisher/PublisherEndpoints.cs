using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using QueueLab.Rabbit;

namespace QueueLab.Publisher;

public static class PublisherEndpoints
{
    /// <summary>
    /// <c>POST /messages</c> (one), <c>POST /messages/batch</c>, <c>POST /generator/start</c>,
    /// <c>POST /generator/stop</c>, <c>GET /generator</c>.
    /// </summary>
    public static WebApplication MapPublisherEndpoints(this WebApplication app)
    {
        app.MapPost("/messages", async (PublishRequest request, ConfirmedPublisher publisher, CancellationToken ct) =>
        {
            var outcome = await publisher.PublishAsync(request, ct);
            return outcome.Status switch
            {
                PublishStatus.Confirmed => Results.Ok(outcome),
                PublishStatus.Rejected => Results.BadRequest(outcome),
                PublishStatus.Unroutable => Results.UnprocessableEntity(outcome),
                _ => Results.Json(outcome, statusCode: StatusCodes.Status503ServiceUnavailable),
            };
        });

        app.MapPost("/messages/batch", async (PublishBatchRequest request, ConfirmedPublisher publisher,
            IOptions<PublisherOptions> options, CancellationToken ct) =>
        {
            if (request.Messages is null || request.Messages.Count == 0 || request.Messages.Count > options.Value.MaxBatchSize)
            {
                return Results.BadRequest($"Send between 1 and {options.Value.MaxBatchSize} messages in 'messages'.");
            }

            return Results.Ok(await publisher.PublishBatchAsync(request.Messages, ct));
        });

        app.MapPost("/generator/start", (GeneratorRequest request, MessageGenerator generator) =>
        {
            var errors = new List<ValidationResult>();
            if (!Validator.TryValidateObject(request, new ValidationContext(request), errors, validateAllProperties: true)
                || request.DirectWeight + request.TopicWeight + request.FanoutWeight == 0)
            {
                return Results.BadRequest(errors.Count > 0
                    ? string.Join(" ", errors.Select(e => e.ErrorMessage))
                    : "Give at least one of directWeight, topicWeight, fanoutWeight a positive weight.");
            }

            if (request.IdPrefix is not null && MessageIds.Problem($"{request.IdPrefix}-{request.Count}") is { } idProblem)
            {
                return Results.BadRequest($"The ids from idPrefix would be refused: the message id {idProblem}.");
            }

            return generator.TryStart(request)
                ? Results.Accepted("/generator", generator.Status())
                : Results.Conflict("A generator run is in progress; POST /generator/stop first.");
        });

        app.MapPost("/generator/stop", (MessageGenerator generator) =>
        {
            generator.Stop();
            return Results.Ok(generator.Status());
        });

        app.MapGet("/generator", (MessageGenerator generator) => Results.Ok(generator.Status()));
        return app;
    }
}
