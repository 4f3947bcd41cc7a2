using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Server.Http;

namespace Waybill.Server;

internal static class OrdersEndpoints
{
    /// <summary>A CSV import may be large: 100,000 rows are about 16 MB.</summary>
    private const long MaxImportBytes = 256L * 1024 * 1024;

    public static void MapOrders(this IEndpointRouteBuilder v1)
    {
        var orders = v1.MapGroup("/orders").WithTags("Orders");

        orders.MapPost("/", async Task<Results<Created<OrderView>, ProblemHttpResult>> (
                OrderInput order, CreateOrder.Handler handler, CancellationToken ct) =>
            {
                var result = await handler.HandleAsync(order, ct);
                return result.IsSuccess
                    ? TypedResults.Created($"/v1/orders/{result.Value.Id}", result.Value)
                    : Problems.From(result.Error!);
            })
            .WithSummary("Creates an order.")
            .WithDescription("Every wrong field is named at once in a 400 problem (errors keyed by field path). A reference already used answers 409 orders.reference_taken.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(422);

        orders.MapGet("/", async Task<Results<Ok<PageOf<OrderView>>, ProblemHttpResult>> (
                [FromQuery] string? status, [FromQuery] int? page, [FromQuery] int? pageSize, [FromQuery] string? reference,
                ListOrders.Handler handler, CancellationToken ct) =>
            {
                var result = await handler.HandleAsync(new ListOrders.Request(status, page, pageSize, reference), ct);
                return Problems.OkOr(result);
            })
            .WithSummary("Lists orders, newest first (pageSize defaults to 50, at most 500); reference= finds those whose reference contains it, case ignored.")
            .ProducesProblem(400);

        orders.MapGet("/{id}", async Task<Results<Ok<OrderView>, ProblemHttpResult>> (
                string id, GetOrder.Handler handler, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var guid))
                {
                    return NotFound(id);
                }
                return Problems.OkOr(await handler.HandleAsync(guid, ct));
            })
            .WithSummary("Gets one order.")
            .ProducesProblem(404);

        orders.MapPost("/{id}/cancel", async Task<Results<Ok<OrderView>, ProblemHttpResult>> (
                string id, CancelOrder.Handler handler, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var guid))
                {
                    return NotFound(id);
                }
                return Problems.OkOr(await handler.HandleAsync(guid, ct));
            })
            .WithSummary("Cancels an order that has not shipped; 409 once shipped or already cancelled.")
            .ProducesProblem(404).ProducesProblem(409);

        orders.MapPost("/import", async Task<Results<Ok<ImportOrders.Response>, ProblemHttpResult>> (
                HttpRequest request, ImportOrders.Handler handler, CancellationToken ct) =>
            {
                if (request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
                {
                    return Problems.Of(415, "request.unsupported_media_type", "Send the file as text/csv (UTF-8, header line first).");
                }
                // Read asynchronously first: the CSV reader is synchronous, and Kestrel forbids synchronous reads.
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body, ct);
                body.Position = 0;
                var result = await handler.HandleAsync(body, progress: null, ct);
                return Problems.OkOr(result);
            })
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // Documented by hand: an Accepts() filter would make routing send other media types to /{id}.
                operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                {
                    Required = true,
                    Description = "RFC 4180 CSV, UTF-8, header line first, one row per order line.",
                    Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                    {
                        ["text/csv"] = new() { Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String } },
                    },
                };
                return Task.CompletedTask;
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithSummary("Imports orders from CSV, all or nothing.")
            .WithDescription("Columns: " + string.Join(", ", ImportOrders.RequiredColumns) + "; optional " + string.Join(", ", ImportOrders.OptionalColumns) + ". A bad file answers 400 with errors[{line, column, reason}] and writes nothing.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(415);

        orders.MapUnsupportedVerbs<GetOrder.Handler, OrderView>("/{id}", "GET", "orders.not_found", (h, id, ct) => h.HandleAsync(id, ct));
        orders.MapUnsupportedVerbs<GetOrder.Handler, OrderView>("/{id}/cancel", "POST", "orders.not_found", (h, id, ct) => h.HandleAsync(id, ct));
    }

    private static ProblemHttpResult NotFound(string id) => Problems.Of(404, "orders.not_found", $"No order {id}.");
}
