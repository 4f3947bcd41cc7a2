using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;

namespace Waybill.Server;

internal static class HealthEndpoints
{
    public sealed record Health(string Status, string Database);

    public sealed record Liveness(string Status);

    private static readonly Liveness Live = new("live");

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        // Liveness: the process answers; nothing else is checked (no database), so an orchestrator restarts only a hung process.
        app.MapGet("/health/live", () => TypedResults.Ok(Live))
            .WithTags("Health")
            .WithSummary("Answers 200 {status: \"live\"} while the process serves requests; checks nothing else.");
        app.MapGet("/health", async Task<Results<Ok<Health>, JsonHttpResult<Health>>> (WaybillDb db, CancellationToken ct) =>
            await db.Database.CanConnectAsync(ct)
                ? TypedResults.Ok(new Health("ok", db.Provider.ToString().ToLowerInvariant()))
                : TypedResults.Json(new Health("unavailable", db.Provider.ToString().ToLowerInvariant()), statusCode: 503))
        .WithTags("Health")
        .WithSummary("Answers 200 once the database is reachable, 503 otherwise.");
    }
}
