using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Waybill.Customs;
using Waybill.Server.Http;

namespace Waybill.Server;

internal static class LandedCostEndpoints
{
    public static void MapLandedCost(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/landed-cost/quotes", async Task<Results<Ok<LandedCostView>, ProblemHttpResult>> (
                LandedCostInput request, QuoteLandedCost.Handler handler, CancellationToken ct) =>
                Problems.OkOr(await handler.HandleAsync(request, ct)))
            .WithTags("Customs")
            .WithSummary("Quotes what a parcel costs the buyer to land: goods, shipping, duty, import tax and fees under the rules in force on the date, in the destination's currency.")
            .WithDescription("{from, to, date? (YYYY-MM-DD, today), mode? (postal: the default, or courier), incoterm (DDP or DAP), currency, shipping, insurance?, lines[{hsCode, originCountry, description, quantity, unitValue, weightKg}]} answers {currency, goods, shipping, insurance, duty, tax, fees, total, scheme, collectedAt (checkout or delivery; null when nothing is due), form (CN22, CN23 or commercial_invoice), verified, charges[{kind, amount, basis, rule, verified}], warnings, exchange}. Every charge is rounded half away from zero to the currency's minor unit; total is their sum. 400 customs.quote_invalid names every wrong field; 422 customs.hs_code_unknown, customs.embargoed, customs.prohibited_goods (naming the line).")
            .ProducesProblem(400).ProducesProblem(422);
    }
}

/// <summary>
/// Source-generated JSON for the quote endpoint, the checkout's hot path: the same names and number handling as the
/// rest of the API (camelCase, numbers as numbers), without reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(LandedCostInput))]
[JsonSerializable(typeof(LandedCostView))]
internal sealed partial class LandedCostJson : JsonSerializerContext;
