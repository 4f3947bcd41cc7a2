using Microsoft.AspNetCore.Http.Features;
using Waybill.Tenancy;

namespace Waybill.Server.Http;

/// <summary>
/// A <c>/v1</c> request's services, with the tenant the API-key middleware found: the request's service scope is made
/// when something first asks for it (as ASP.NET Core does), and gets the tenant (<see cref="RequestTenant"/>) before
/// anything is resolved from it. A request that needs no scoped service (a quote whose tenant's settings are cached)
/// makes none.
/// </summary>
internal sealed class TenantServices(IServiceProvidersFeature inner, Guid tenant) : IServiceProvidersFeature
{
    private IServiceProvider? _told;

    public Guid Tenant { get; } = tenant;

    public IServiceProvider RequestServices
    {
        get
        {
            var services = inner.RequestServices;
            if (!ReferenceEquals(services, _told))
            {
                // A scope made for this request, or one put in its place (the exception handler may make one for errors).
                services.GetRequiredService<RequestTenant>().Id = Tenant;
                _told = services;
            }
            return services;
        }
        set => inner.RequestServices = value;
    }

    /// <summary>The tenant of an authenticated <c>/v1</c> request.</summary>
    /// <exception cref="InvalidOperationException">The request did not pass the API-key middleware.</exception>
    public static Guid TenantOf(HttpContext context) =>
        context.Features.Get<IServiceProvidersFeature>() is TenantServices services
            ? services.Tenant
            : throw new InvalidOperationException("The request has no tenant: it did not pass the API-key middleware.");
}
