using System.ComponentModel.DataAnnotations;

namespace QueueLab.Publisher;

/// <summary>
/// A generator run: <see cref="Count"/> messages at <see cref="Rate"/> per second (0 = as fast as the confirm window
/// allows), spread over the three exchanges by the weights.
/// </summary>
public sealed record GeneratorRequest(
    [property: Range(1, 10_000_000)] int Count,
    [property: Range(0, 1_000_000)] double Rate = 0,
    [property: Range(0, 1000)] int DirectWeight = 1,
    [property: Range(0, 1000)] int TopicWeight = 1,
    [property: Range(0, 1000)] int FanoutWeight = 1,
    string? IdPrefix = null);
