using System.Globalization;

namespace QueueLab.ChaosTests;

/// <summary>
/// Which chaos profile runs. <c>ci</c> (the default, part of <c>./queuelab test</c>): every scenario once, short. <c>long</c>
/// (<c>QUEUELAB_CHAOS=long</c>): in addition, <c>QUEUELAB_CHAOS_ITERATIONS</c> (default 100) iterations per pipeline with
/// compound fault schedules drawn from a generator seeded by <c>QUEUELAB_CHAOS_SEED</c> (printed; a random one when unset):
/// the same seed replays the same schedules. <c>cluster</c> (<c>QUEUELAB_CHAOS=cluster</c>): the clustered topology's
/// scenarios (<c>QueueLab:Topology=cluster</c>: node failovers), too heavy for CI on two cores; <c>long</c> runs them as well.
/// </summary>
public sealed record ChaosProfile(string Name, int Seed, int Iterations)
{
    public const string ProfileVariable = "QUEUELAB_CHAOS";
    public const string SeedVariable = "QUEUELAB_CHAOS_SEED";
    public const string IterationsVariable = "QUEUELAB_CHAOS_ITERATIONS";

    public static ChaosProfile Current { get; } = Read(Environment.GetEnvironmentVariable);

    public bool IsLong => Name == "long";

    /// <summary>Whether the clustered topology's scenarios run (profiles <c>cluster</c> and <c>long</c>).</summary>
    public bool RunsClusters => Name is "cluster" or "long";

    /// <summary>The command that replays this profile's schedules.</summary>
    public string ReplayCommand =>
        $"{ProfileVariable}=long {SeedVariable}={Seed} {IterationsVariable}={Iterations} dotnet test --project ChaosTests/QueueLab.ChaosTests --no-build -- --filter-class '*LongProfileTests'";

    public static ChaosProfile Read(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var name = (environment(ProfileVariable) ?? "ci").Trim().ToLowerInvariant();
        if (name is not ("ci" or "long" or "cluster"))
        {
            throw new InvalidOperationException($"{ProfileVariable} is '{name}'; use ci (the default), cluster or long.");
        }

        var seed = environment(SeedVariable) is { Length: > 0 } seedText
            ? int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                ? s
                : throw new InvalidOperationException($"{SeedVariable} is '{seedText}'; use a whole number.")
            : Random.Shared.Next();
        var iterations = environment(IterationsVariable) is { Length: > 0 } iterationsText
            ? int.TryParse(iterationsText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new InvalidOperationException($"{IterationsVariable} is '{iterationsText}'; use a whole number above 0.")
            : 100;
        return new ChaosProfile(name, seed, iterations);
    }
}
