using QueueLab.Lab.Telemetry;
using Shouldly;

namespace QueueLab.Lab.Tests;

public sealed class ServiceMetricsTests
{
    private const string Exposition = """
        # TYPE queuelab_ordering_output_lag gauge
        # HELP queuelab_ordering_output_lag Messages pushed to the input and neither in the output nor dead-lettered yet.
        queuelab_ordering_output_lag{otel_scope_name="QueueLab.Sequencer"} 42 1764684000000
        # TYPE queuelab_consumer_process_duration_seconds histogram
        queuelab_consumer_process_duration_seconds_bucket{messaging_destination_name="orders",le="0.005"} 3
        queuelab_consumer_process_duration_seconds_bucket{messaging_destination_name="orders",le="+Inf"} 5
        queuelab_consumer_process_duration_seconds_count{messaging_destination_name="orders"} 5
        queuelab_consumer_process_duration_seconds_count{messaging_destination_name="audit"} 2
        queuelab_consumer_process_duration_seconds_sum{messaging_destination_name="orders"} 0.125
        odd_label{path="a \"quoted\" \\ value, with = and }"} -1.5e-3
        # EOF
        """;

    [Fact]
    public void Reads_names_labels_and_values_of_every_sample()
    {
        var metrics = ServiceMetrics.Parse(Exposition.ReplaceLineEndings("\n"));

        metrics.Samples.Count.ShouldBe(7);
        metrics.Value("queuelab_ordering_output_lag").ShouldBe(42);
        metrics.Series("queuelab_ordering_output_lag").Single().Label("otel_scope_name").ShouldBe("QueueLab.Sequencer");
        metrics.Sum("queuelab_consumer_process_duration_seconds_count").ShouldBe(7);
        metrics.Series("queuelab_consumer_process_duration_seconds_bucket").Last().Label("le").ShouldBe("+Inf");
        metrics.Series("odd_label").Single().Label("path").ShouldBe("a \"quoted\" \\ value, with = and }");
        metrics.Value("odd_label").ShouldBe(-0.0015);
        metrics.Has("absent").ShouldBeFalse();
        metrics.Value("absent").ShouldBeNull();
    }

    [Theory]
    [InlineData("no_value")]
    [InlineData("bad{label=unquoted} 1")]
    [InlineData("open{label=\"x\" 1")]
    [InlineData("word not_a_number")]
    public void Refuses_lines_that_are_not_samples(string line) =>
        Should.Throw<FormatException>(() => ServiceMetrics.Parse(line));
}
