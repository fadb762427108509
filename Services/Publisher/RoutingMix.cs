using QueueLab.Rabbit;

namespace QueueLab.Publisher;

/// <summary>Spreads generated messages over the exchanges by weight, deterministically by index.</summary>
public static class RoutingMix
{
    private static readonly string[] Regions = ["eu", "us", "ap"];

    public static (string Exchange, string RoutingKey) Pick(int index, int directWeight, int topicWeight, int fanoutWeight)
    {
        var total = directWeight + topicWeight + fanoutWeight;
        if (total <= 0)
        {
            throw new ArgumentException("At least one routing weight must be positive.");
        }

        var slot = index % total;
        if (slot < directWeight)
        {
            return (LabTopology.DirectExchange, "orders");
        }

        return slot < directWeight + topicWeight
            ? (LabTopology.TopicExchange, $"orders.{Regions[index % Regions.Length]}.created")
            : (LabTopology.FanoutExchange, "");
    }
}
