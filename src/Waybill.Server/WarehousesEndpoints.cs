using Microsoft.AspNetCore.Http.HttpResults;
using Waybill.Server.Http;
using Waybill.Shipping;

namespace Waybill.Server;

internal static class WarehousesEndpoints
{
    public static void MapWarehouses(this IEndpointRouteBuilder v1)
    {
        var warehouses = v1.MapGroup("/warehouses").WithTags("Warehouses");

        warehouses.MapPost("/", async Task<Results<Created<WarehouseView>, ProblemHttpResult>> (
                WarehouseInput warehouse, AddWarehouse.Handler handler, CancellationToken ct) =>
            {
                var result = await handler.HandleAsync(warehouse, ct);
                return result.IsSuccess
                    ? TypedResults.Created($"/v1/warehouses/{result.Value.Id}", result.Value)
                    : Problems.From(result.Error!);
            })
            .WithSummary("Adds a warehouse: {code, name, address (the shape of an order's shipTo), kind: origin or overseas}.")
            .WithDescription("Every wrong field is named at once in a 400 problem. A code already used by the tenant answers 409 warehouses.code_taken.")
            .ProducesProblem(400).ProducesProblem(409);

        warehouses.MapGet("/", async (ListWarehouses.Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.HandleAsync(ct)))
            .WithSummary("Lists the tenant's warehouses by code.");

        warehouses.MapGet("/{id}", async Task<Results<Ok<WarehouseView>, ProblemHttpResult>> (
                string id, GetWarehouse.Handler handler, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var guid))
                {
                    return Problems.Of(404, "warehouses.not_found", $"No warehouse {id}.");
                }
                return Problems.OkOr(await handler.HandleAsync(guid, ct));
            })
            .WithSummary("Gets one warehouse.")
            .ProducesProblem(404);
    }
}
