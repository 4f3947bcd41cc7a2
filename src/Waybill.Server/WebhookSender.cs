using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using StandardWebhooks;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Persistence;

namespace Waybill.Server;

/// <summary>How webhooks are delivered: lease and batch as the email worker; 10 s timeout; retries from 10 s doubling to an hour.</summary>
internal sealed record WebhookSenderOptions
{
    public int BatchSize { get; init; } = 50;

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts before a delivery is <c>failed</c>.</summary>
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Standard Webhooks signing, with the specification's own .NET package: <c>v1,</c> and the base64 HMAC-SHA256, keyed
/// with the base64-decoded secret (after <c>whsec_</c>), of <c>{webhook-id}.{webhook-timestamp}.{body}</c>.
/// </summary>
internal static class WebhookSignature
{
    /// <summary>The <c>webhook-id</c> of a delivery: its row's id, so every attempt of it carries the same one.</summary>
    public static string MessageId(Guid deliveryId) => $"msg_{deliveryId:N}";

    public static string Sign(string secret, string messageId, DateTimeOffset timestamp, string body) =>
        new StandardWebhook(secret).Sign(messageId, timestamp, body);
}

/// <summary>
/// The webhook worker's one pass: leases the due webhook deliveries (rows of <c>notifications</c> with channel
/// <c>webhook</c>), POSTs each body to its endpoint, signed with the endpoint's current secret, and records the result
/// after the POST: 2xx is sent; anything else (another status, a timeout, a refused connection) is tried again later
/// with the same <c>webhook-id</c>. A crash between the POST and the record repeats the POST with the same
/// <c>webhook-id</c>: delivery is at least once. <c>webhook-timestamp</c> is real time (<see cref="WallClock"/>), also
/// under the demo's accelerated clock, since receivers check it against their own clock.
/// </summary>
internal sealed partial class WebhookSender : IDisposable
{
    private readonly Storage _storage;
    private readonly TimeProvider _clock;
    private readonly WallClock _wall;
    private readonly WebhookUrlPolicy _policy;
    private readonly WebhookSenderOptions _options;
    private readonly ILogger<WebhookSender> _logger;
    private readonly HttpClient _http;
    private readonly string _worker = $"{Environment.MachineName}:{Environment.ProcessId}";

    public WebhookSender(Storage storage, TimeProvider clock, WallClock wall, WebhookUrlPolicy policy, WebhookSenderOptions options, ILogger<WebhookSender> logger)
    {
        _storage = storage;
        _clock = clock;
        _wall = wall;
        _policy = policy;
        _options = options;
        _logger = logger;
#pragma warning disable CA2000 // the client owns the handler and disposes it
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = ConnectAsync,
            UseCookies = false,
        };
#pragma warning restore CA2000
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = options.Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Waybill-Webhooks/1");
    }

    /// <summary>Delivers one batch of due webhooks; answers how many it handled (0: nothing was due).</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var db = _storage.CreateDb();
        var now = _clock.UtcNow();
        var owner = $"{_worker}:{Guid.NewGuid():N}";
        owner = owner.Length > 64 ? owner[^64..] : owner;
        var leased = await NotificationLeases.LeaseAsync(db, "webhook", owner, now, now + _options.Lease, _options.BatchSize, ct);
        if (leased == 0)
        {
            return 0;
        }
        var batch = await db.Notifications.IgnoreQueryFilters().Where(n => n.LeaseOwner == owner).OrderBy(n => n.ScheduledFor).ToListAsync(ct);
        var endpoints = new Dictionary<Guid, WebhookEndpoint?>();
        foreach (var delivery in batch)
        {
            if (delivery.EndpointId is not { } endpointId)
            {
                delivery.Skip("a webhook delivery without an endpoint");
                await db.SaveChangesAsync(ct);
                continue;
            }
            if (!endpoints.TryGetValue(endpointId, out var endpoint))
            {
                // Read at each pass: a rotated secret signs from the next attempt on.
                endpoint = await db.WebhookEndpoints.AsNoTracking().IgnoreQueryFilters().SingleOrDefaultAsync(e => e.Id == endpointId, ct);
                endpoints[endpointId] = endpoint;
            }
            if (endpoint is null || endpoint.DisabledAt is not null)
            {
                delivery.Skip("the webhook endpoint was deleted");
            }
            else
            {
                // To the endpoint's current URL (it may have changed since the delivery was published).
                delivery.Readdress(endpoint.Url);
                if (await PostAsync(delivery, endpoint, ct) is { } error)
                {
                    delivery.Fail(error, _clock.UtcNow(), _options.MaxAttempts, _options.FirstBackoff);
                    LogFailed(_logger, delivery.Kind, delivery.Id, delivery.Attempts, error);
                }
                else
                {
                    delivery.MarkSent(_clock.UtcNow());
                    LogSent(_logger, delivery.Kind, delivery.Id, endpoint.Url);
                }
            }
            await db.SaveChangesAsync(ct);
        }
        return batch.Count;
    }

    /// <summary>POSTs the delivery; answers null when the endpoint took it (2xx), else why not.</summary>
    private async Task<string?> PostAsync(Notification delivery, WebhookEndpoint endpoint, CancellationToken ct)
    {
        var body = delivery.Text ?? "{}";
        var id = WebhookSignature.MessageId(delivery.Id);
        var timestamp = _wall.Time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(endpoint.Secret, id, timestamp, body));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300 ? null
                : status is >= 300 and < 400 ? $"HTTP {status} {response.ReasonPhrase} (redirects are not followed)"
                : $"HTTP {status} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {_options.Timeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException ex)
        {
            return ex.InnerException is WebhookAddressRefusedException refused ? refused.Message : $"{ex.HttpRequestError}: {ex.Message}";
        }
    }

    /// <summary>
    /// Connects to the endpoint's host, refusing a private address unless allowed: checked here, at connection time, so
    /// that a name that resolved to a public address at registration cannot later point into the network (DNS rebinding).
    /// </summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.TrimStart('[').TrimEnd(']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (!_policy.AllowPrivate)
        {
            foreach (var address in addresses)
            {
                if (WebhookUrlPolicy.WhyPrivate(address) is { } why)
                {
                    throw new WebhookAddressRefusedException($"refused: {host} is {address}, {why} (--allow-private-webhooks is off)");
                }
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            if (!_policy.AllowPrivate && socket.RemoteEndPoint is IPEndPoint connected && WebhookUrlPolicy.WhyPrivate(connected.Address) is { } why)
            {
                throw new WebhookAddressRefusedException($"refused: connected to {connected.Address}, {why}");
            }
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {Type} {Id} delivered to {Url}")]
    private static partial void LogSent(ILogger logger, string type, Guid id, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Type} {Id} not delivered (attempt {Attempt}): {Error}")]
    private static partial void LogFailed(ILogger logger, string type, Guid id, int attempt, string error);
}

/// <summary>The endpoint's host is on an address webhooks are not sent to.</summary>
internal sealed class WebhookAddressRefusedException(string message) : Exception(message);
