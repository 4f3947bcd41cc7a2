using Microsoft.AspNetCore.Http.HttpResults;
using Waybill.Server.Http;
using Waybill.Shipping;

namespace Waybill.Server;

internal static class RatesEndpoints
{
    public static void MapRates(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/rates", async Task<Results<Ok<RatesView>, ProblemHttpResult>> (
                RatesInput request, QuoteRates.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(request, ct)))
            .WithTags("Rates")
            .WithSummary("Prices every feasible route over the sandbox network, cheapest first, and says why each service left out cannot carry the goods.")
            .WithDescription("From warehouseId (or from{country}, or the tenant's only origin warehouse), to shipTo{country, postalCode?}, for parcels[{weightKg, lengthCm, widthCm, heightCm}] or order lines (packed into one parcel from the default-packaging table); or orderId alone (with warehouseId at most): the order's booking quote, the routes POST /v1/orders/{id}/shipments chooses from. Totals are in the request's currency, else the tenant's. 400 rates.invalid names every wrong field; 404 orders.not_found for an unknown orderId; 422 when no warehouse applies.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(422);

        v1.MapPost("/orders/{id}/shipments", async Task<Results<Created<Waybill.Tracking.ShipmentView>, ProblemHttpResult>> (
                string id, BookingInput? request, BookShipment.Handler handler, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var orderId))
                {
                    return Problems.Of(404, "orders.not_found", $"No order {id}.");
                }
                var result = await handler.HandleAsync(orderId, request ?? new BookingInput(), ct);
                return result.IsSuccess
                    ? TypedResults.Created($"/v1/shipments/{result.Value.Id}", result.Value)
                    : Problems.From(result.Error!);
            })
            .WithTags("Orders")
            .WithSummary("Books an order: {strategy? (cheapest, fastest, cheapest_on_time: the default), serviceId? (a route id from POST /v1/rates), deliverBy?, warehouseId?}.")
            .WithDescription("Answers 201 with the shipment: legs with carrier, service, tracking number and price, the price and the expected delivery window; the order becomes shipped. 409 shipping.already_booked or shipping.order_cancelled; 422 when no warehouse, route or on-time route applies. Send Idempotency-Key to retry safely.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        v1.MapGet("/shipments/{id}/label", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (
                string id, Waybill.Shipping.Labels.GetLabel.Handler handler, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var shipmentId))
                {
                    return Problems.Of(404, "tracking.shipment_not_found", $"No shipment {id}.");
                }
                var result = await handler.HandleAsync(shipmentId, ct);
                return result.IsSuccess
                    ? TypedResults.File(result.Value, "application/pdf", $"label-{shipmentId}.pdf")
                    : Problems.From(result.Error!);
            })
            .WithTags("Shipments")
            .WithSummary("The booked shipment's label: a 100 x 150 mm PDF with the first leg's tracking number as a Code 128 barcode and the customs block its service calls for.")
            .Produces(200, contentType: "application/pdf")
            .ProducesProblem(404).ProducesProblem(422);

        v1.MapGet("/shipments/{id}/customs-declaration", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (
                string id, Waybill.Customs.GetCustomsDeclaration.Handler handler, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var shipmentId))
                {
                    return Problems.Of(404, "tracking.shipment_not_found", $"No shipment {id}.");
                }
                var result = await handler.HandleAsync(shipmentId, ct);
                return result.IsSuccess
                    ? TypedResults.File(result.Value, "application/pdf", $"customs-declaration-{shipmentId}.pdf")
                    : Problems.From(result.Error!);
            })
            .WithTags("Shipments")
            .WithSummary("The booked cross-border shipment's customs declaration, an A4 PDF: CN 22 or CN 23 for postal services (by the UPU rules), a commercial invoice otherwise; contents, HS codes, quantities, values, origins, weights, sender, recipient, and the IOSS number where the scheme applies.")
            .Produces(200, contentType: "application/pdf")
            .ProducesProblem(404).ProducesProblem(422);
    }
}
