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
            .WithDescription("From warehouseId (or from{country}, or the tenant's only origin warehouse), to shipTo{country, postalCode?}, for parcels[{weightKg, lengthCm, widthCm, heightCm}] or order lines (packed into one parcel from the default-packaging table). Totals are in the request's currency, else the tenant's. 400 rates.invalid names every wrong field; 422 when no warehouse applies.")
            .ProducesProblem(400).ProducesProblem(422);
    }
}
