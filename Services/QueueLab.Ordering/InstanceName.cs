using Microsoft.Extensions.Configuration;

namespace QueueLab.Ordering;

/// <summary>The replica's name: <c>service.instance.id</c> from OTEL_RESOURCE_ATTRIBUTES (set by Aspire), else host and pid.</summary>
public static class InstanceName
{
    private const string Attribute = "service.instance.id=";

    public static string From(IConfiguration configuration)
    {
        foreach (var pair in (configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            if (pair.StartsWith(Attribute, StringComparison.Ordinal) && pair.Length > Attribute.Length)
            {
                return pair[Attribute.Length..];
            }
        }

        return $"{Environment.MachineName}-{Environment.ProcessId}";
    }
}
