using QueueLab.Testing;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary><see cref="Poll.UntilAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?, CancellationToken)"/> bound to the test's cancellation.</summary>
internal static class Until
{
    public static Task Async(Func<Task<bool>> condition, TimeSpan timeout, string because) =>
        Poll.UntilAsync(condition, timeout, because, cancellationToken: TestContext.Current.CancellationToken);
}
