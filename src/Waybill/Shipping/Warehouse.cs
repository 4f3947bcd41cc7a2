using Waybill.Common;
using Waybill.Orders;

namespace Waybill.Shipping;

/// <summary>Where a tenant's goods ship from: its own origin warehouse, or an overseas one near its buyers.</summary>
public enum WarehouseKind
{
    Origin,
    Overseas,
}

/// <summary>A tenant's warehouse. The code is the tenant's own short name for it, unique per tenant.</summary>
public sealed class Warehouse
{
    private Warehouse()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    /// <summary>Upper case: letters, digits, '-' and '_'.</summary>
    public string Code { get; private set; } = "";

    public string Name { get; private set; } = "";

    public WarehouseKind Kind { get; private set; }

    public string AddressName { get; private set; } = "";

    public string AddressLine1 { get; private set; } = "";

    public string? AddressLine2 { get; private set; }

    public string AddressCity { get; private set; } = "";

    public string? AddressRegion { get; private set; }

    public string? AddressPostalCode { get; private set; }

    public CountryCode AddressCountry { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    internal static Warehouse Create(Guid tenantId, string code, string name, WarehouseKind kind, ValidAddress address, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        Code = code,
        Name = name,
        Kind = kind,
        AddressName = address.Name,
        AddressLine1 = address.Line1,
        AddressLine2 = address.Line2,
        AddressCity = address.City,
        AddressRegion = address.Region,
        AddressPostalCode = address.PostalCode,
        AddressCountry = address.Country,
        CreatedAt = now,
    };
}

/// <summary>A warehouse as the API shows it; the address has the shape of an order's <c>shipTo</c>.</summary>
public sealed record WarehouseView(Guid Id, string Code, string Name, string Kind, AddressView Address, DateTimeOffset CreatedAt)
{
    public static WarehouseView Of(Warehouse w) => new(
        w.Id,
        w.Code,
        w.Name,
        w.Kind.ToString().ToLowerInvariant(),
        new AddressView(w.AddressName, w.AddressLine1, w.AddressLine2, w.AddressCity, w.AddressRegion, w.AddressPostalCode, w.AddressCountry.Value),
        w.CreatedAt);
}
