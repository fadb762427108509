using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using QueueLab.Lab.Resources;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>RabbitMQ as the fault library drives it, through its management API: every client connection closed, and
/// the queues' message counts (for a report on a run that did not finish).</summary>
public static class RabbitAdmin
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Closes every client connection; returns how many were closed.</summary>
    public static async Task<long> DropClientsAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var (baseUris, credentials) = Management(resource, connectionString);
        var (baseUri, answer) = await FirstAnswerAsync(baseUris, credentials, "connections?columns=name", cancellationToken).ConfigureAwait(false);
        using var body = answer;
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
        var (baseUris, credentials) = Management(resource, connectionString);
        using var body = (await FirstAnswerAsync(baseUris, credentials, "queues?columns=name,messages_ready,messages_unacknowledged,messages_dlx,consumers", cancellationToken).ConfigureAwait(false)).Body;
        static long Count(JsonElement queue, string name) =>
            queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
        return body.RootElement.EnumerateArray().ToDictionary(
            q => q.GetProperty("name").GetString() ?? "",
            q => new QueueCounts(Count(q, "messages_ready"), Count(q, "messages_unacknowledged"), Count(q, "messages_dlx"), Count(q, "consumers")),
            StringComparer.Ordinal);
    }

    /// <summary>Where the management API is: the server's own endpoint, or every node's of a cluster (tried in turn: any node
    /// answers for the whole cluster, and one may be the node a fault just killed).</summary>
    private static (IReadOnlyList<Uri> BaseUris, string Credentials) Management(IResource resource, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(resource);
        IEnumerable<IResource> candidates = resource.ClusterNodes() is { Count: > 0 } nodes ? nodes : [resource];
        var endpoints = candidates.Select(r => r.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == "management")?.AllocatedEndpoint)
            .OfType<AllocatedEndpoint>().Select(m => new Uri($"http://{m.Address}:{m.Port}/api/")).ToList();
        if (endpoints.Count == 0)
        {
            throw new InvalidOperationException($"{resource.Name} has no management endpoint: the lab enables the management plugin; is this lab's RabbitMQ configured without it?");
        }

        var amqp = new Uri(connectionString);
        var userInfo = amqp.UserInfo.Split(':', 2);
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.UnescapeDataString(userInfo[0]) + ":" + Uri.UnescapeDataString(userInfo.ElementAtOrDefault(1) ?? "")));
        return (endpoints, credentials);
    }

    /// <summary>The first management endpoint that answers <paramref name="path"/>, with its answer.</summary>
    private static async Task<(Uri BaseUri, JsonDocument Body)> FirstAnswerAsync(IReadOnlyList<Uri> baseUris, string credentials, string path, CancellationToken cancellationToken)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return (baseUris[i], await GetAsync(baseUris[i], credentials, path, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (i + 1 < baseUris.Count
                && (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)))
            {
                // That node is down, frozen or too slow (the client's timeout): ask the next.
            }
        }
    }

    /// <summary>Which node leads each quorum queue (Erlang node names, as the management API reports them), by queue name.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> QueueLeadersAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var (baseUris, credentials) = Management(resource, connectionString);
        using var body = (await FirstAnswerAsync(baseUris, credentials, "queues?columns=name,type,leader", cancellationToken).ConfigureAwait(false)).Body;
        return body.RootElement.EnumerateArray()
            .Where(q => q.TryGetProperty("leader", out var leader) && leader.ValueKind == JsonValueKind.String)
            .ToDictionary(q => q.GetProperty("name").GetString() ?? "", q => q.GetProperty("leader").GetString()!, StringComparer.Ordinal);
    }

    /// <summary>How many members of each quorum queue are online, by queue name.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> QueueMembersOnlineAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var (baseUris, credentials) = Management(resource, connectionString);
        using var body = (await FirstAnswerAsync(baseUris, credentials, "queues?columns=name,type,online", cancellationToken).ConfigureAwait(false)).Body;
        return body.RootElement.EnumerateArray()
            .Where(q => q.TryGetProperty("online", out var online) && online.ValueKind == JsonValueKind.Array)
            .ToDictionary(q => q.GetProperty("name").GetString() ?? "", q => q.GetProperty("online").GetArrayLength(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Cuts a node of a RabbitMQ cluster off from its peers, both ways, while its clients' connections stay up: on the node
    /// (<c>rabbitmqctl eval</c>), the peers' Erlang cookie is set to a wrong one and their connections are closed, so every
    /// handshake between the node and a peer fails whichever side starts it. What a network partition does to the cluster;
    /// <see cref="HealAsync"/> sets the cookie back.
    /// </summary>
    public static Task<string> IsolateAsync(IResource node, IEnumerable<string> peers, CancellationToken cancellationToken) =>
        EvalAsync(node, $"[begin erlang:set_cookie(P, queuelab_isolated), erlang:disconnect_node(P) end || P <- {ErlangList(peers)}], ok.", cancellationToken);

    /// <summary>Gives the node its peers' cookie back (its own, which they share): they meet again on the next handshake.</summary>
    public static Task<string> HealAsync(IResource node, IEnumerable<string> peers, CancellationToken cancellationToken) =>
        EvalAsync(node, $"[erlang:set_cookie(P, erlang:get_cookie()) || P <- {ErlangList(peers)}], [net_adm:ping(P) || P <- {ErlangList(peers)}].", cancellationToken);

    private static string ErlangList(IEnumerable<string> nodes) => "[" + string.Join(", ", nodes.Select(n => $"'{n}'")) + "]";

    private static async Task<string> EvalAsync(IResource node, string expression, CancellationToken cancellationToken)
    {
        var ctl = node.Annotations.OfType<RabbitCtlAnnotation>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{node.Name} is not a RabbitMQ node the lab started (no rabbitmqctl settings on it).");
        return (await Processes.ProcessRunner.RunAsync(ctl.Command, ["-n", ctl.NodeName, "eval", expression], cancellationToken, ctl.Environment).ConfigureAwait(false)).Trim();
    }

    /// <summary>Each running node's view of the cluster: which nodes it sees running (by Erlang node name), from its own
    /// management API; a node that does not answer (down, or paused in a minority) is left out.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ViewsAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var (baseUris, credentials) = Management(resource, connectionString);
        var views = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var baseUri in baseUris)
        {
            try
            {
                using var nodes = await GetAsync(baseUri, credentials, "nodes?columns=name,running", cancellationToken).ConfigureAwait(false);
                using var overview = await GetAsync(baseUri, credentials, "overview?columns=node", cancellationToken).ConfigureAwait(false);
                views[overview.RootElement.GetProperty("node").GetString() ?? ""] = [.. nodes.RootElement.EnumerateArray()
                    .Where(n => n.GetProperty("running").GetBoolean()).Select(n => n.GetProperty("name").GetString() ?? "")];
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Down, paused or frozen: no view.
            }
        }

        return views;
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
