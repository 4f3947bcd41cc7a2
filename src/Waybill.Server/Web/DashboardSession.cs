using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;
using Waybill.Server.Http;
using Waybill.Tenancy;

namespace Waybill.Server.Web;

/// <summary>
/// The seller's dashboard session: the tenant's API key, typed once on the sign-in page, is exchanged for an HttpOnly,
/// SameSite=Strict cookie that names the tenant and the key it was opened with (never the key itself). Each request
/// checks that key is still the tenant's current one, so rotating the key (CLI or API) ends every session opened with the
/// old one. The cookie is protected by Data Protection, whose keys live in the database (<see cref="DatabaseXmlRepository"/>).
/// </summary>
internal static class DashboardSession
{
    public const string Scheme = "dashboard";
    public const string CookieName = "waybill_session";
    public const string TenantClaim = "waybill:tenant";
    public const string KeyClaim = "waybill:key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public static void Configure(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Cookie.Path = "/dashboard";
        options.ExpireTimeSpan = Lifetime;
        options.SlidingExpiration = true;
        options.LoginPath = "/dashboard/sign-in";
        options.LogoutPath = "/dashboard/sign-out";
        options.AccessDeniedPath = "/dashboard/sign-in";
        options.Events.OnValidatePrincipal = ValidateAsync;
    }

    /// <summary>The tenant of an API key, or null; the key is compared by its hash, as the API does.</summary>
    public static async Task<(Guid Tenant, string Name, string KeyHash)?> FindAsync(Storage storage, string apiKey, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > 200)
        {
            return null;
        }
        var hash = ApiKeys.Hash(apiKey.Trim());
        await using var db = storage.CreateDb();
        if (await FindTenantByKey.HandleAsync(db, hash) is not { } tenant)
        {
            return null;
        }
        var name = await db.Tenants.AsNoTracking().Where(t => t.Id == tenant).Select(t => t.Name).SingleAsync(ct);
        return (tenant, name, hash);
    }

    public static ClaimsPrincipal Principal(Guid tenant, string name, string keyHash) => new(new ClaimsIdentity(
        [new Claim(TenantClaim, tenant.ToString()), new Claim(ClaimTypes.Name, name), new Claim(KeyClaim, keyHash[..16])],
        Scheme));

    public static Guid? TenantOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && Guid.TryParse(user.FindFirstValue(TenantClaim), out var id) ? id : null;

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var tenant = context.Principal is { } principal ? TenantOf(principal) : null;
        var key = context.Principal?.FindFirstValue(KeyClaim);
        var current = tenant is null
            ? null
            : await FindKeyHashAsync(context.HttpContext.RequestServices.GetRequiredService<Storage>(), tenant.Value, context.HttpContext.RequestAborted);
        if (current is null || key is null || !current.StartsWith(key, StringComparison.Ordinal))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static async Task<string?> FindKeyHashAsync(Storage storage, Guid tenant, CancellationToken ct)
    {
        await using var db = storage.CreateDb();
        return await db.Tenants.AsNoTracking().Where(t => t.Id == tenant).Select(t => t.ApiKeyHash).FirstOrDefaultAsync(ct);
    }
}

/// <summary>Gives a signed-in dashboard request the services of its tenant, as the API-key middleware does for <c>/v1</c>.</summary>
internal sealed class DashboardTenantMiddleware(RequestDelegate next, IServiceScopeFactory scopes)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase)
            && DashboardSession.TenantOf(context.User) is { } tenant)
        {
            var services = context.Features.Get<IServiceProvidersFeature>() ?? new RequestServicesFeature(context, scopes);
            context.Features.Set<IServiceProvidersFeature>(new TenantServices(services, tenant));
        }
        return next(context);
    }
}
