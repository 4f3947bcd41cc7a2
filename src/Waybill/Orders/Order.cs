using Waybill.Common;

namespace Waybill.Orders;

public enum OrderStatus
{
    Created,
    Allocated,
    Shipped,
    Delivered,
    Cancelled,
    Returned,
}

public enum Incoterm
{
    DDP,
    DAP,
}

/// <summary>
/// A storefront order: who buys, where it goes, what is in it. Its status changes only through its own methods.
/// Buyer and ship-to are flat columns so that bulk writes and SQL stay simple.
/// </summary>
public sealed class Order
{
    private readonly List<OrderLine> _lines = [];

    private Order()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Reference { get; private set; } = "";

    public OrderStatus Status { get; private set; }

    public Currency Currency { get; private set; }

    public Incoterm Incoterm { get; private set; }

    public string BuyerName { get; private set; } = "";

    public EmailAddress BuyerEmail { get; private set; }

    public string? BuyerPhone { get; private set; }

    public string? BuyerLocale { get; private set; }

    public string? BuyerTimeZone { get; private set; }

    public string ShipToName { get; private set; } = "";

    public string ShipToLine1 { get; private set; } = "";

    public string? ShipToLine2 { get; private set; }

    public string ShipToCity { get; private set; } = "";

    public string? ShipToRegion { get; private set; }

    public string? ShipToPostalCode { get; private set; }

    public CountryCode ShipToCountry { get; private set; }

    /// <summary>The warehouse the order ships from, when the seller named one.</summary>
    public Guid? WarehouseId { get; private set; }

    public decimal GoodsTotal { get; private set; }

    /// <summary>What the buyer pays for delivery, in the order's currency, when the storefront said.</summary>
    public decimal? ShippingPrice { get; private set; }

    /// <summary>
    /// The landed cost (JSON of <see cref="OrderLandedCostView"/>): provisional from creation, final once a DDP order is
    /// booked; null when the order does not cross a customs border or its origin is not known yet.
    /// </summary>
    public string? LandedCost { get; private set; }

    public decimal TotalWeightKg { get; private set; }

    /// <summary>SHA-256 of the order's content: an import of the same order again is recognised and skipped.</summary>
    public string ContentHash { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyList<OrderLine> Lines => _lines;

    internal static Order Create(Guid tenantId, ValidOrder valid, DateTimeOffset now)
    {
        var order = new Order
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            Reference = valid.Reference,
            Status = OrderStatus.Created,
            Currency = valid.Currency,
            Incoterm = valid.Incoterm,
            BuyerName = valid.BuyerName,
            BuyerEmail = valid.BuyerEmail,
            BuyerPhone = valid.BuyerPhone,
            BuyerLocale = valid.BuyerLocale?.Tag,
            BuyerTimeZone = valid.BuyerTimeZone?.Id,
            ShipToName = valid.ShipToName,
            ShipToLine1 = valid.ShipToLine1,
            ShipToLine2 = valid.ShipToLine2,
            ShipToCity = valid.ShipToCity,
            ShipToRegion = valid.ShipToRegion,
            ShipToPostalCode = valid.ShipToPostalCode,
            ShipToCountry = valid.ShipToCountry,
            ContentHash = valid.ContentHash,
            WarehouseId = valid.WarehouseId,
            ShippingPrice = valid.ShippingPrice,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var number = 0;
        var goods = 0m;
        var weight = 0m;
        foreach (var line in valid.Lines)
        {
            number++;
            order._lines.Add(OrderLine.Create(order, number, line, now));
            goods += line.UnitPrice * line.Quantity;
            weight += line.UnitWeight.Kilograms * line.Quantity;
        }
        order.GoodsTotal = goods;
        order.TotalWeightKg = weight;
        return order;
    }

    internal void PriceLanding(string? landedCost) => LandedCost = landedCost;

    /// <summary>Why the order cannot be booked onto a shipment now (null when it can): it is cancelled, or has shipped.</summary>
    public Error? ShipRefusal() => Status switch
    {
        OrderStatus.Created or OrderStatus.Allocated => null,
        OrderStatus.Cancelled => Error.Conflict("shipping.order_cancelled", $"Order {Reference} is cancelled: it cannot be booked."),
        _ => Error.Conflict("shipping.already_booked", $"Order {Reference} is already {Status.ToString().ToLowerInvariant()}."),
    };

    /// <summary>Booked onto a shipment, from the given warehouse: allowed once, and never for a cancelled order.</summary>
    internal Result<Order> Ship(DateTimeOffset now, Guid? fromWarehouse = null)
    {
        if (ShipRefusal() is { } refusal)
        {
            return refusal;
        }
        Status = OrderStatus.Shipped;
        WarehouseId = fromWarehouse ?? WarehouseId;
        UpdatedAt = now;
        return this;
    }

    /// <summary>Allowed until the order ships; cancelling twice is a conflict, not a silent no-op.</summary>
    public Result<Order> Cancel(DateTimeOffset now)
    {
        switch (Status)
        {
            case OrderStatus.Created or OrderStatus.Allocated:
                Status = OrderStatus.Cancelled;
                UpdatedAt = now;
                return this;
            case OrderStatus.Cancelled:
                return Error.Conflict("orders.already_cancelled", "The order is already cancelled.");
            default:
                return Error.Conflict("orders.not_cancellable", $"The order is {Status.ToString().ToLowerInvariant()} and can no longer be cancelled.");
        }
    }

    /// <summary>The first shipment of the order was booked.</summary>
    public Result<Order> MarkShipped(DateTimeOffset now)
    {
        if (Status is not (OrderStatus.Created or OrderStatus.Allocated))
        {
            return Error.Conflict("orders.not_shippable", $"The order is {Status.ToString().ToLowerInvariant()} and cannot ship.");
        }
        Status = OrderStatus.Shipped;
        UpdatedAt = now;
        return this;
    }
}

public sealed class OrderLine
{
    private OrderLine()
    {
    }

    public Guid Id { get; private set; }

    public Guid OrderId { get; private set; }

    public Guid TenantId { get; private set; }

    public int LineNumber { get; private set; }

    public string Sku { get; private set; } = "";

    public string Description { get; private set; } = "";

    public int Quantity { get; private set; }

    public decimal UnitPrice { get; private set; }

    public HsCode HsCode { get; private set; }

    public CountryCode OriginCountry { get; private set; }

    /// <summary>Weight of one unit, in kilograms.</summary>
    public decimal WeightKg { get; private set; }

    /// <summary>The line's dangerous goods, comma-separated (<see cref="Orders.DangerousGoods"/>); empty for none.</summary>
    public string DangerousGoods { get; private set; } = "";

    /// <summary>True when the seller declared them; false when they are the HS code's default.</summary>
    public bool DangerousGoodsDeclared { get; private set; }

    internal static OrderLine Create(Order order, int number, ValidOrderLine line, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        OrderId = order.Id,
        TenantId = order.TenantId,
        LineNumber = number,
        Sku = line.Sku,
        Description = line.Description,
        Quantity = line.Quantity,
        UnitPrice = line.UnitPrice,
        HsCode = line.HsCode,
        OriginCountry = line.OriginCountry,
        WeightKg = line.UnitWeight.Kilograms,
        DangerousGoods = Orders.DangerousGoods.ToColumn(line.DangerousGoods),
        DangerousGoodsDeclared = line.DangerousGoodsDeclared,
    };
}
