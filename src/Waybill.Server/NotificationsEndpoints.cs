using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Server.Http;

namespace Waybill.Server;

internal static class NotificationsEndpoints
{
    public static void MapNotifications(this IEndpointRouteBuilder v1)
    {
        var notifications = v1.MapGroup("/notifications").WithTags("Notifications");

        notifications.MapGet("/", async Task<Results<Ok<PageOf<NotificationView>>, ProblemHttpResult>> (
                [FromQuery] string? shipmentId, [FromQuery] string? kind, [FromQuery] string? status, [FromQuery] string? channel, [FromQuery] string? endpointId,
                [FromQuery] int? page, [FromQuery] int? pageSize, ListNotifications.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(new ListNotifications.Request(shipmentId, kind, status, page, pageSize, channel, endpointId), ct)))
            .WithSummary("The notifications log, newest first: what each buyer and the seller were told, or will be, and when.")
            .WithDescription("channel: email or webhook (a webhook delivery's kind is its event type, its text the JSON body, its recipient the URL; endpointId picks one endpoint's). status: queued (decided, not sent yet), held (quiet hours: scheduledFor is when it goes), sent, failed (after its last attempt; reason says why), skipped (superseded by a later milestone, stale, or no recipient; reason says which).")
            .ProducesProblem(400);
    }
}
