using System.Text.Json.Serialization;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>
/// A webhook endpoint as listed: never its secret. <see cref="DisabledAt"/> is set on a disabled (deleted through the API)
/// endpoint, which only the dashboard lists; the API leaves it out of its answers.
/// </summary>
public sealed record WebhookEndpointView(
    Guid Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DisabledAt = null)
{
    [JsonIgnore]
    public bool Enabled => DisabledAt is null;

    internal static WebhookEndpointView Of(WebhookEndpoint e) => new(e.Id, e.Url, e.EventList, e.CreatedAt, e.DisabledAt);
}

/// <summary>A webhook endpoint with its secret: shown once, when it is made or its secret rotated.</summary>
public sealed record WebhookEndpointSecretView(Guid Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt)
{
    internal static WebhookEndpointSecretView Of(WebhookEndpoint e) => new(e.Id, e.Url, e.EventList, e.Secret, e.CreatedAt);
}

/// <summary>Registers a seller's webhook endpoint (<c>POST /v1/webhook-endpoints</c>); answers it with its new secret.</summary>
public static class CreateWebhookEndpoint
{
    public sealed record Request(string? Url, IReadOnlyList<string?>? Events);

    public sealed class Handler(WaybillDb db, TimeProvider clock, WebhookUrlPolicy policy)
    {
        public async Task<Result<WebhookEndpointSecretView>> HandleAsync(Request request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            var codes = new List<string>();
            var url = CheckUrl(request.Url, errors, codes);
            var events = CheckEvents(request.Events, errors, codes);
            if (!errors.IsEmpty)
            {
                return errors.ToError(codes.Distinct().Count() == 1 ? codes[0] : "webhooks.invalid", "The webhook endpoint has invalid fields.");
            }
            if (await policy.CheckAsync(url!, ct) is { } why)
            {
                return PrivateAddress(why);
            }
            var endpoint = WebhookEndpoint.Create(db.TenantId, url!.AbsoluteUri, events, clock.UtcNow());
            db.WebhookEndpoints.Add(endpoint);
            await db.SaveChangesAsync(ct);
            return WebhookEndpointSecretView.Of(endpoint);
        }
    }

    internal static Error PrivateAddress(string why) => new(
        ErrorKind.Unprocessable, "webhooks.private_address",
        $"Webhooks are not sent to private or loopback addresses: {why} The operator may allow them (--allow-private-webhooks true).",
        new Dictionary<string, string[]>(StringComparer.Ordinal) { ["url"] = [why] });

    /// <summary>An absolute http(s) URL, or null with the reason in <paramref name="errors"/>.</summary>
    internal static Uri? CheckUrl(string? text, ValidationErrors errors, List<string> codes)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("url", "The URL is required.");
            codes.Add("webhooks.invalid_url");
            return null;
        }
        text = text.Trim();
        if (text.Length > WebhookEndpoint.MaxUrlLength)
        {
            errors.Add("url", $"The URL is longer than {WebhookEndpoint.MaxUrlLength} characters.");
            codes.Add("webhooks.invalid_url");
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
        {
            errors.Add("url", $"'{text}' is not an absolute http or https URL (https is recommended).");
            codes.Add("webhooks.invalid_url");
            return null;
        }
        if (!string.IsNullOrEmpty(url.UserInfo) || !string.IsNullOrEmpty(url.Fragment))
        {
            errors.Add("url", "The URL must not hold credentials or a fragment.");
            codes.Add("webhooks.invalid_url");
            return null;
        }
        return url;
    }

    /// <summary>The event types, each known or <c>*</c>, without repeats; or the reasons in <paramref name="errors"/>.</summary>
    internal static List<string> CheckEvents(IReadOnlyList<string?>? events, ValidationErrors errors, List<string> codes)
    {
        var checkedEvents = new List<string>();
        if (events is null || events.Count == 0)
        {
            errors.Add("events", $"Name at least one event type ({string.Join(", ", WebhookEvents.Types)}), or \"*\" for all.");
            codes.Add("webhooks.invalid_events");
            return checkedEvents;
        }
        for (var i = 0; i < events.Count; i++)
        {
            var name = events[i]?.Trim().ToLowerInvariant();
            if (name is null || (name != WebhookEvents.All && !WebhookEvents.Types.Contains(name)))
            {
                errors.Add($"events[{i}]", $"'{events[i]}' is not an event type: {string.Join(", ", WebhookEvents.Types)}, or \"*\" for all.");
                codes.Add("webhooks.unknown_event");
            }
            else if (!checkedEvents.Contains(name))
            {
                checkedEvents.Add(name);
            }
        }
        return checkedEvents.Contains(WebhookEvents.All) ? [WebhookEvents.All] : checkedEvents;
    }
}
