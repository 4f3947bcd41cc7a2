namespace Waybill.Tenancy;

/// <summary>
/// The tenant an API request is authenticated as, set by the server's authentication before any handler runs. A
/// request's database context is created from it when first needed, so that a request that needs no database (a
/// landed-cost quote whose settings are cached) never creates one.
/// </summary>
public sealed class RequestTenant
{
    public Guid Id { get; set; }
}
