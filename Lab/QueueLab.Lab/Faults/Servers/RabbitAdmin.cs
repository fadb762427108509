using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>RabbitMQ as the fault library drives it, through its management API: every client connection closed.</summary>
public static class RabbitAdmin
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Closes every client connection; returns how many were closed.</summary>
    public static async Task<long> DropClientsAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var management = resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == "management")?.AllocatedEndpoint
            ?? throw new InvalidOperationException($"{resource.Name} has no management endpoint: the lab enables the management plugin; is this lab's RabbitMQ configured without it?");
        var amqp = new Uri(connectionString);
        var userInfo = amqp.UserInfo.Split(':', 2);
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.UnescapeDataString(userInfo[0]) + ":" + Uri.UnescapeDataString(userInfo.ElementAtOrDefault(1) ?? "")));
        var baseUri = new Uri($"http://{management.Address}:{management.Port}/api/");

        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "connections?columns=name"));
        list.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var response = await Http.SendAsync(list, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
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
}
