using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Waybill.Server.Http;
using Waybill.Tenancy;

namespace Waybill.Server;

internal static class SettingsEndpoints
{
    public static void MapSettings(this IEndpointRouteBuilder v1)
    {
        var settings = v1.MapGroup("/settings").WithTags("Settings");

        settings.MapGet("/", async (GetSettings.Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.HandleAsync(ct)))
            .WithSummary("The tenant's settings: {schemes: {IOSS: {registered, number}, UK_POS, AU_GST, NZ_GST, NO_VOEC, CH_VAT, SG_GST, CA_GST}, updatedAt}.")
            .WithDescription("A setting never changed shows its default: registered for IOSS, UK_POS, AU_GST, NZ_GST and NO_VOEC; not for CH_VAT, SG_GST and CA_GST.");

        settings.MapPatch("/", async Task<Results<Ok<SettingsView>, ProblemHttpResult>> (HttpRequest request, PatchSettings.Handler handler, CancellationToken ct) =>
            {
                if (request.ContentType is not { } type || !(type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
                    || type.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase)))
                {
                    return Problems.Of(415, "settings.content_type", "Send the patch as application/merge-patch+json or application/json.");
                }
                JsonDocument patch;
                try
                {
                    patch = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                }
                catch (JsonException ex)
                {
                    return Problems.Of(400, "settings.invalid_json", $"The body is not JSON: {ex.Message}");
                }
                using (patch)
                {
                    return Problems.OkOr(await handler.HandleAsync(patch.RootElement, ct));
                }
            })
            .Accepts<JsonElement>("application/merge-patch+json", "application/json")
            .WithSummary("Changes settings with a JSON merge patch (RFC 7396): {\"schemes\": {\"IOSS\": {\"number\": \"IM2760000001\"}, \"CH_VAT\": {\"registered\": true}}}; null returns a value to its default.")
            .WithDescription("Every wrong field is named at once in a 400 problem (settings.invalid), and nothing is changed. Numbers are checked against their scheme's format.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(415);
    }
}
