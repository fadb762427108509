using CsCheck;
using QueueLab.Ordering.Parsing;
using Shouldly;

namespace QueueLab.ChaosTests.Fuzz;

/// <summary>
/// The property-based fuzz suite: CsCheck generates runs that mix valid messages with every class of hostile input (see
/// <see cref="InputKind"/>), each run is pushed into the running lab's pipeline B, and the outcome is held to the input
/// contract (<see cref="FuzzVerdict"/>): every valid seq out once and in order, every invalid message dead-lettered once
/// with its reason, nothing left in flight, nothing retried for ever. The CI profile runs <see cref="CiRuns"/> runs;
/// <c>QUEUELAB_CHAOS=long</c> runs <c>QUEUELAB_CHAOS_ITERATIONS</c> x 10. A failure prints the CsCheck seed; replay it with
/// <c>QUEUELAB_FUZZ_SEED=&lt;seed&gt;</c>, and add it to <see cref="RegressionSeeds"/>.
/// </summary>
[Collection(OrderingChaosCollection.Name)]
public sealed class HostileInputFuzzTests(OrderingChaosFixture lab) : IAsyncLifetime
{
    public const int CiRuns = 8;
    public const int MaxSeqsPerRun = 30;
    public const string SeedVariable = "QUEUELAB_FUZZ_SEED";

    /// <summary>Seeds of runs that once failed, replayed on every CI run (none yet).</summary>
    public static readonly TheoryData<string> RegressionSeeds = [];

    public ValueTask InitializeAsync() => new(lab.RestoreAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Generated_streams_of_valid_and_hostile_messages_each_end_in_exactly_one_outcome()
    {
        var profile = ChaosProfile.Current;
        var iterations = profile.IsLong ? profile.Iterations * 10 : CiRuns;
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } s ? s : null;
        var runs = 0;
        var messages = 0;
        await FuzzInput.Runs(MaxSeqsPerRun).SampleAsync(async templates =>
        {
            var verdict = await FuzzRunner.RunAsync(lab.Client, templates, TimeSpan.FromSeconds(60));
            Interlocked.Increment(ref runs);
            Interlocked.Add(ref messages, templates.Length);
            if (!verdict.Passed)
            {
                ChaosLog.Write($"fuzz: a run of {templates.Length} messages broke the contract:\n{verdict}");
            }

            verdict.Passed.ShouldBeTrue(verdict.ToString());
        }, iter: iterations, threads: 1, seed: seed, print: t => string.Join(", ", t.Select(x => x.ToString())));
        ChaosLog.Write($"fuzz: {runs} generated runs, {messages} messages, every one exactly one outcome");
        runs.ShouldBeGreaterThanOrEqualTo(iterations);
    }

    [Fact]
    public void The_catalogue_and_the_parser_agree_on_every_kind_of_input()
    {
        foreach (var kind in Enum.GetValues<InputKind>())
        {
            foreach (var variant in new[] { 0, 1, 2, 3, 417 })
            {
                var parsed = MessageParser.Parse(InputCatalogue.Render(kind, 12345, variant), ParserLimits.Default);
                parsed.Reason.ShouldBe(InputCatalogue.Reason(kind), $"{kind} v{variant}");
                (parsed.Seq is not null).ShouldBe(InputCatalogue.ClaimsSeq(kind), $"{kind} v{variant} claims its seq");
            }
        }
    }
}
