using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Server.Http;

namespace Waybill.Server;

internal static class WebhookEndpointsEndpoints
{
    public static void MapWebhookEndpoints(this IEndpointRouteBuilder v1)
    {
        var endpoints = v1.MapGroup("/webhook-endpoints").WithTags("Webhooks");

        endpoints.MapPost("/", async Task<Results<Created<WebhookEndpointSecretView>, ProblemHttpResult>> (
                CreateWebhookEndpoint.Request endpoint, CreateWebhookEndpoint.Handler handler, CancellationToken ct) =>
            {
                var result = await handler.HandleAsync(endpoint, ct);
                return result.IsSuccess
                    ? TypedResults.Created($"/v1/webhook-endpoints/{result.Value.Id}", result.Value)
                    : Problems.From(result.Error!);
            })
            .WithSummary("Registers a webhook endpoint: {url, events: [\"shipment.milestone\", ...] or [\"*\"]}; answers its secret (whsec_...), shown this once.")
            .WithDescription("Events: shipment.milestone, shipment.exception, shipment.stalled, shipment.delayed, notification.sent, notification.failed, or \"*\" for all. "
                + "Deliveries follow Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature v1). A bad field answers 400 (webhooks.invalid_url, "
                + "webhooks.invalid_events, webhooks.unknown_event); a URL on a loopback or private address 422 webhooks.private_address, unless the server allows them.")
            .ProducesProblem(400).ProducesProblem(422);

        endpoints.MapGet("/", async Task<Results<Ok<PageOf<WebhookEndpointView>>, ProblemHttpResult>> (
                [FromQuery] int? page, [FromQuery] int? pageSize, ListWebhookEndpoints.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(new ListWebhookEndpoints.Request(page, pageSize), ct)))
            .WithSummary("Lists the active webhook endpoints, newest first (without their secrets).")
            .ProducesProblem(400);

        endpoints.MapGet("/{id:guid}", async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> (
                Guid id, GetWebhookEndpoint.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(id, ct)))
            .WithSummary("Gets one webhook endpoint (without its secret).")
            .ProducesProblem(404);

        endpoints.MapPatch("/{id:guid}", async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> (
                Guid id, UpdateWebhookEndpoint.Request change, UpdateWebhookEndpoint.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(id, change, ct)))
            .WithSummary("Changes the endpoint's url or events ({url?, events?}), checked as on registration; the secret stays.")
            .WithDescription("Deliveries still queued go to the new URL. A URL on a loopback or private address answers 422 webhooks.private_address unless the server allows them.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(422);

        endpoints.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (
                Guid id, DeleteWebhookEndpoint.Handler handler, CancellationToken ct) =>
            {
                var result = await handler.HandleAsync(id, ct);
                return result.IsSuccess ? TypedResults.NoContent() : Problems.From(result.Error!);
            })
            .WithSummary("Deletes (disables) a webhook endpoint: nothing more is sent to it; its queued deliveries are skipped.")
            .ProducesProblem(404);

        endpoints.MapPost("/{id:guid}/rotate-secret", async Task<Results<Ok<WebhookEndpointSecretView>, ProblemHttpResult>> (
                Guid id, RotateWebhookSecret.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(id, ct)))
            .WithSummary("Gives the endpoint a new secret, answered this once; every attempt from now on is signed with it.")
            .ProducesProblem(404);

        endpoints.MapGet("/{id:guid}/deliveries", async Task<Results<Ok<PageOf<NotificationView>>, ProblemHttpResult>> (
                Guid id, [FromQuery] string? status, [FromQuery] int? page, [FromQuery] int? pageSize, ListNotifications.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(new ListNotifications.Request(null, null, status, page, pageSize, "webhook", id.ToString()), ct)))
            .WithSummary("The endpoint's deliveries, newest first: the event type (kind), the body (text), status, attempts and the last error (reason).")
            .ProducesProblem(400);
    }
}
