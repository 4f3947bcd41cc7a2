using System.Security.Cryptography;
using Waybill.Common;

namespace Waybill.Notifications;

/// <summary>
/// A seller's webhook endpoint: where the events it subscribes to are POSTed, signed with its secret (Standard Webhooks).
/// The secret is stored as is, not hashed: the server must sign every delivery with it. Deleting an endpoint disables it
/// (<see cref="DisabledAt"/>): its past deliveries stay in the log, and those still queued are skipped.
/// </summary>
public sealed class WebhookEndpoint
{
    /// <summary>Standard Webhooks' prefix of a symmetric secret (base64 after it).</summary>
    public const string SecretPrefix = "whsec_";

    public const int MaxUrlLength = 2000;

    private WebhookEndpoint()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Url { get; private set; } = "";

    /// <summary>The event types, comma-separated (<see cref="WebhookEvents"/>), or <c>*</c> for all.</summary>
    public string Events { get; private set; } = "";

    /// <summary><c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public string Secret { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? DisabledAt { get; private set; }

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);

    internal static WebhookEndpoint Create(Guid tenantId, string url, IEnumerable<string> events, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        Url = url,
        Events = string.Join(',', events),
        Secret = NewSecret(),
        CreatedAt = now,
    };

    /// <summary>True when the endpoint is active and takes events of this type.</summary>
    public bool Subscribes(string eventType) =>
        DisabledAt is null && EventList.Any(e => e == WebhookEvents.All || e == eventType);

    /// <summary>A new URL or events (null: unchanged), checked by the caller.</summary>
    internal void Change(string? url, IEnumerable<string>? events)
    {
        Url = url ?? Url;
        Events = events is null ? Events : string.Join(',', events);
    }

    /// <summary>A new secret: deliveries are signed with it from now on.</summary>
    internal void RotateSecret() => Secret = NewSecret();

    internal void Disable(DateTimeOffset now) => DisabledAt ??= now;

    /// <summary>Takes events again from now on (deliveries skipped while it was disabled stay skipped).</summary>
    internal Result<WebhookEndpoint> Enable()
    {
        if (DisabledAt is null)
        {
            return Error.Conflict("webhooks.already_enabled", $"The webhook endpoint {Id} is already enabled.");
        }
        DisabledAt = null;
        return this;
    }

    internal static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
