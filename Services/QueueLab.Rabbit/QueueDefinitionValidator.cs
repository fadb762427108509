namespace QueueLab.Rabbit;

/// <summary>Checks queue definitions and says, for each problem, what to fix.</summary>
public static class QueueDefinitionValidator
{
    public const int MaxNameLength = 200;

    public static IReadOnlyList<string> Validate(QueueDefinition? queue)
    {
        var errors = new List<string>();
        if (queue is null)
        {
            errors.Add("The queue definition is missing.");
            return errors;
        }

        var label = string.IsNullOrWhiteSpace(queue.Name) ? "A queue" : $"Queue '{queue.Name}'";
        if (string.IsNullOrWhiteSpace(queue.Name))
        {
            errors.Add("A queue has no name; give it a non-empty name.");
        }
        else if (queue.Name.Length > MaxNameLength || queue.Name.StartsWith("amq.", StringComparison.Ordinal))
        {
            errors.Add($"{label}: the name must be at most {MaxNameLength} characters and must not start with 'amq.'.");
        }

        if (queue.Priority < 1)
        {
            errors.Add($"{label} has priority {queue.Priority}; use a priority of 1 or more.");
        }

        var binding = queue.Binding;
        if (binding is null)
        {
            errors.Add($"{label} has no binding; give it {{ exchangeName, routingKey, exchangeType }}.");
            return errors;
        }

        if (string.IsNullOrWhiteSpace(binding.ExchangeName))
        {
            errors.Add($"{label}: the binding has no exchange name.");
        }

        if (!ExchangeTypes.IsKnown(binding.ExchangeType))
        {
            errors.Add($"{label}: exchange type '{binding.ExchangeType}' is unknown; use one of {string.Join(", ", ExchangeTypes.All)}.");
        }
        else if (ExchangeTypes.NeedsRoutingKey(binding.ExchangeType) && string.IsNullOrWhiteSpace(binding.RoutingKey))
        {
            errors.Add($"{label}: a {binding.ExchangeType} binding needs a routing key.");
        }

        return errors;
    }

    /// <summary>Validates each queue, plus the rules across them (unique names, one type per exchange).</summary>
    public static IReadOnlyList<string> ValidateAll(IReadOnlyCollection<QueueDefinition> queues)
    {
        var errors = new List<string>();
        if (queues.Count == 0)
        {
            errors.Add("No queues are configured; configure at least one.");
            return errors;
        }

        errors.AddRange(queues.SelectMany(Validate));
        errors.AddRange(queues.Where(q => q is not null).GroupBy(q => q.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"Queue '{g.Key}' is configured {g.Count()} times; give each queue a distinct name."));
        errors.AddRange(queues.Where(q => q?.Binding is not null)
            .GroupBy(q => q.Binding.ExchangeName, StringComparer.Ordinal)
            .Where(g => g.Select(q => q.Binding.ExchangeType).Distinct().Count() > 1)
            .Select(g => $"Exchange '{g.Key}' is bound with types {string.Join(" and ", g.Select(q => q.Binding.ExchangeType).Distinct())}; an exchange has one type."));
        return errors;
    }
}
