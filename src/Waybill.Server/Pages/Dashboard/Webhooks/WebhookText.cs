using Waybill.Common;
using Waybill.Notifications;

namespace Waybill.Server.Pages.Dashboard.Webhooks;

/// <summary>What the webhook pages share: the event types offered, problem reasons by field, and the no-store answer.</summary>
public static class WebhookText
{
    /// <summary>The event types, then "*" for all (including those added later).</summary>
    public static IReadOnlyList<string> EventChoices { get; } = [.. WebhookEvents.Types, WebhookEvents.All];

    /// <summary>The text key of an event type (<c>orders.event.shipment_milestone</c>, <c>orders.event.all</c>).</summary>
    public static string KeyOf(string eventType) =>
        "orders.event." + (eventType == WebhookEvents.All ? "all" : eventType.Replace('.', '_'));

    /// <summary>A problem's reasons for one form field (<c>events</c> takes <c>events[0]</c>'s too).</summary>
    public static IReadOnlyList<string> ErrorsOf(Error? error, string field) =>
        error?.Errors is { } errors
            ? [.. errors.Where(e => e.Key == field || e.Key.StartsWith(field + "[", StringComparison.Ordinal)).SelectMany(e => e.Value)]
            : [];

    /// <summary>A page that shows a secret is never kept by the browser or a proxy (the back button reloads it without).</summary>
    public static void NoStore(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
