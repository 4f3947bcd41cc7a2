using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Waybill.Common;
using Waybill.Server.Http;
using Waybill.Tracking;

namespace Waybill.Server;

internal static class TrackingEndpoints
{
    public static void MapTracking(this IEndpointRouteBuilder v1)
    {
        var shipments = v1.MapGroup("/shipments").WithTags("Shipments");

        shipments.MapPost("/", async Task<Results<Created<ShipmentView>, ProblemHttpResult>> (
                RegisterShipment.Request request, RegisterShipment.Handler handler, CancellationToken ct) =>
            {
                var result = await handler.HandleAsync(request, ct);
                return result.IsSuccess
                    ? TypedResults.Created($"/v1/shipments/{result.Value.Id}", result.Value)
                    : Problems.From(result.Error!);
            })
            .WithSummary("Registers a shipment with its legs; a leg's carrier is detected from its number when omitted.")
            .WithDescription("422 tracking.carrier_unknown when no carrier's format matches, 422 tracking.carrier_ambiguous (listing the candidates) when several do, 409 tracking.leg_taken when the carrier and number already belong to a shipment. Events received earlier for the number are attached.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(422);

        shipments.MapGet("/", async Task<Results<Ok<PageOf<ShipmentView>>, ProblemHttpResult>> (
                [FromQuery] string? trackingNumber, [FromQuery] string? status, [FromQuery] string? milestone,
                [FromQuery] int? page, [FromQuery] int? pageSize, [FromQuery] string? search, [FromQuery] string? origin,
                [FromQuery] string? destination, [FromQuery] string? exception, [FromQuery] string? sort,
                ListShipments.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(
                    new ListShipments.Request(trackingNumber, status, milestone, page, pageSize, search, origin, destination, exception, sort), ct)))
            .WithSummary("Lists shipments, newest first, by tracking number (any leg), status, milestone, search, lane or exception.")
            .WithDescription("search: a tracking number (exactly), or a piece of the order's reference, buyer name or email. origin and destination: country codes of the order's warehouse and ship-to. exception: any, customs_held, stalled, failed_attempt, lost, damaged, returned or other (what is wrong now; see docs/web.md). sort: newest (the default) or oldest_scan (the last scan oldest first).")
            .ProducesProblem(400);

        shipments.MapGet("/{id}", async Task<Results<Ok<ShipmentView>, ProblemHttpResult>> (
                string id, GetShipment.Handler handler, CancellationToken ct) =>
                Guid.TryParse(id, out var guid) ? Problems.OkOr(await handler.HandleAsync(guid, ct)) : NotFound(id))
            .WithSummary("Gets one shipment.")
            .ProducesProblem(404);

        shipments.MapGet("/{id}/events", async Task<Results<Ok<IReadOnlyList<EventView>>, ProblemHttpResult>> (
                string id, ListShipmentEvents.Handler handler, CancellationToken ct) =>
                Guid.TryParse(id, out var guid) ? Problems.OkOr(await handler.HandleAsync(guid, ct)) : NotFound(id))
            .WithSummary("The shipment's timeline across all legs, in time order, unpaged; occurredAt keeps the carrier's offset.")
            .ProducesProblem(404);

        shipments.MapPost("/{id}/legs", async Task<Results<Ok<ShipmentView>, ProblemHttpResult>> (
                string id, LegInput leg, AddLeg.Handler handler, CancellationToken ct) =>
                Guid.TryParse(id, out var guid) ? Problems.OkOr(await handler.HandleAsync(guid, leg, ct)) : NotFound(id))
            .WithSummary("Adds a leg at a hand-over.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        shipments.MapUnsupportedVerbs<GetShipment.Handler, ShipmentView>("/{id}", "GET", "tracking.shipment_not_found", (h, g, ct) => h.HandleAsync(g, ct));
        shipments.MapUnsupportedVerbs<GetShipment.Handler, ShipmentView>("/{id}/events", "GET", "tracking.shipment_not_found", (h, g, ct) => h.HandleAsync(g, ct));
        shipments.MapUnsupportedVerbs<GetShipment.Handler, ShipmentView>("/{id}/legs", "POST", "tracking.shipment_not_found", (h, g, ct) => h.HandleAsync(g, ct));

        v1.MapPost("/tracking/events", async Task<Results<Ok<IngestEvents.Response>, ProblemHttpResult>> (
                IngestEvents.Request request, IngestEvents.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(request, ct)))
            .WithMetadata(new WritesThroughEventWriter())
            .WithTags("Tracking")
            .WithSummary("Ingests a batch of carrier events (up to 10,000); answers after they are committed.")
            .WithDescription("Each event is checked on its own: refused events are listed in rejected[{index, code, message}] and the rest is stored. Equal events are stored once (duplicates). Events for numbers no shipment has yet are kept (unmatched) and attached when the leg is registered. Codes the mapping does not know are stored and flagged unmapped.")
            .ProducesProblem(400);
    }

    private static ProblemHttpResult NotFound(string id) => Problems.Of(404, "tracking.shipment_not_found", $"No shipment {id}.");
}
