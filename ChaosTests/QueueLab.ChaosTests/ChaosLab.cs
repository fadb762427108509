namespace QueueLab.ChaosTests;

public static class ChaosLab
{
    /// <summary>A chaos run makes servers unreachable on purpose: their failing health checks are expected, not news.</summary>
    public static readonly string[] QuietLogging =
    [
        "Logging:LogLevel:Default=Warning",
        "Logging:LogLevel:QueueLab.AppHost.Resources=None",
        "Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
    ];
}
