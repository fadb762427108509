using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>RabbitMQ as the fault library drives it, through its management API: every client connection closed, and
/// the queues' message counts (for a report on a run that did not finish).</summary>
public static class RabbitAdmin
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Closes every client connection; returns how many were closed.</summary>
    public static async Task<long> DropClientsAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var (baseUri, credentials) = Management(resource, connectionString);
        using var body = await GetAsync(baseUri, credentials, "connections?columns=name", cancellationToken).ConfigureAwait(false);
        long dropped = 0;
        foreach (var name in body.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()).OfType<string>())
        {
            using var close = new HttpRequestMessage(HttpMethod.Delete, new Uri(baseUri, "connections/" + Uri.EscapeDataString(name)));
            close.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
            close.Headers.Add("X-Reason", "QueueLab fault: drop every client connection");
            using var closed = await Http.SendAsync(close, cancellationToken).ConfigureAwait(false);
            if (closed.IsSuccessStatusCode)
            {
                dropped++;
            }
        }

        return dropped;
    }

    /// <summary>Every queue's message counts as the broker's management API reports them (ready, unacknowledged and,
    /// for a quorum queue, dead-lettered but not yet confirmed by the target), by queue name.</summary>
    public static async Task<IReadOnlyDictionary<string, QueueCounts>> QueuesAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var (baseUri, credentials) = Management(resource, connectionString);
        using var body = await GetAsync(baseUri, credentials, "queues?columns=name,messages_ready,messages_unacknowledged,messages_dlx,consumers", cancellationToken).ConfigureAwait(false);
        static long Count(JsonElement queue, string name) =>
            queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
        return body.RootElement.EnumerateArray().ToDictionary(
            q => q.GetProperty("name").GetString() ?? "",
            q => new QueueCounts(Count(q, "messages_ready"), Count(q, "messages_unacknowledged"), Count(q, "messages_dlx"), Count(q, "consumers")),
            StringComparer.Ordinal);
    }

    private static (Uri BaseUri, string Credentials) Management(IResource resource, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var management = resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == "management")?.AllocatedEndpoint
            ?? throw new InvalidOperationException($"{resource.Name} has no management endpoint: the lab enables the management plugin; is this lab's RabbitMQ configured without it?");
        var amqp = new Uri(connectionString);
        var userInfo = amqp.UserInfo.Split(':', 2);
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.UnescapeDataString(userInfo[0]) + ":" + Uri.UnescapeDataString(userInfo.ElementAtOrDefault(1) ?? "")));
        return (new Uri($"http://{management.Address}:{management.Port}/api/"), credentials);
    }

    private static async Task<JsonDocument> GetAsync(Uri baseUri, string credentials, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>One queue's counts from the management API.</summary>
public readonly record struct QueueCounts(long Ready, long Unacknowledged, long DeadLetteredPending, long Consumers);
