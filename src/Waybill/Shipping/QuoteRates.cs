using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.ForeignExchange;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Shipping.Sandbox;

namespace Waybill.Shipping;

/// <summary>Where a quote ships from when no warehouse is named.</summary>
public sealed record RatesFromInput(string? Country, string? PostalCode);

/// <summary>One parcel as a client sends it.</summary>
public sealed record ParcelInput(decimal? WeightKg, decimal? LengthCm, decimal? WidthCm, decimal? HeightCm);

/// <summary>
/// <c>POST /v1/rates</c>: from a warehouse (or a country), to an address, for parcels or for order lines (packed into one
/// parcel from the default-packaging table); or for an existing order (<see cref="OrderId"/>, alone or with a warehouse),
/// quoted exactly as its booking would be.
/// </summary>
public sealed record RatesInput(
    Guid? WarehouseId,
    RatesFromInput? From,
    AddressInput? ShipTo,
    IReadOnlyList<ParcelInput>? Parcels,
    IReadOnlyList<OrderLineInput>? Lines,
    string? Currency,
    decimal? DeclaredValue = null,
    IReadOnlyList<string?>? DangerousGoods = null,
    Guid? OrderId = null);

public sealed record RouteLegView(string Role, string Service, string Carrier, decimal ChargeableWeightKg, MoneyView Price, MoneyView PriceConverted);

public sealed record TransitDaysView(double P50, double P90);

public sealed record RouteView(string Id, IReadOnlyList<RouteLegView> Legs, MoneyView Total, TransitDaysView TransitDays, int PromiseDays);

public sealed record LeftOutView(string Service, string Code, string Reason);

public sealed record RatesView(
    string From, string To, string Currency, DateOnly Date, IReadOnlyList<ParcelInput> Parcels, IReadOnlyList<string> DangerousGoods,
    IReadOnlyList<RouteView> Routes, IReadOnlyList<LeftOutView> LeftOut);

public static class QuoteRates
{
    public const int MaxParcels = 50;

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<RatesView>> HandleAsync(RatesInput request, CancellationToken ct)
        {
            if (request.OrderId is { } orderId)
            {
                return await QuoteOrderAsync(orderId, request, ct);
            }
            var errors = new ValidationErrors();
            if (request.WarehouseId is not null && request.From is not null)
            {
                errors.Add("from", "Give either warehouseId or from, not both.");
            }
            CountryCode from = default;
            if (request.From is { } origin && request.WarehouseId is null
                && !CountryCode.TryCreate(origin.Country, out from, out var fromReason))
            {
                errors.Add("from.country", fromReason!);
            }
            CountryCode to = default;
            if (request.ShipTo is null)
            {
                errors.Add("shipTo", "The ship-to address (at least its country) is required.");
            }
            else if (!CountryCode.TryCreate(request.ShipTo.Country, out to, out var toReason))
            {
                errors.Add("shipTo.country", toReason!);
            }
            else if (PostalCodes.Check(to, request.ShipTo.PostalCode) is { } postalReason && !string.IsNullOrWhiteSpace(request.ShipTo.PostalCode))
            {
                errors.Add("shipTo.postalCode", postalReason);
            }
            var tenantCurrency = await db.Tenants.Where(t => t.Id == db.TenantId).Select(t => t.Currency).SingleAsync(ct);
            var currency = tenantCurrency;
            if (!string.IsNullOrWhiteSpace(request.Currency) && !Currency.TryCreate(request.Currency, out currency, out var currencyReason))
            {
                errors.Add("currency", currencyReason!);
            }
            var (parcels, dangerousGoods, declared) = Goods(request, errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError("rates.invalid", "The rate request has invalid fields.");
            }
            if (request.From is null)
            {
                var warehouse = await ShipFrom.ResolveAsync(db, request.WarehouseId, null, ct);
                if (!warehouse.IsSuccess)
                {
                    return warehouse.Error!;
                }
                from = warehouse.Value.AddressCountry;
            }
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return Quote(new RateRequest(from, to, parcels, dangerousGoods, new Money(declared, currency), currency, today));
        }

        /// <summary>An order's booking quote: its address, goods and warehouse, as <see cref="BookShipment"/> prices it.</summary>
        private async Task<Result<RatesView>> QuoteOrderAsync(Guid orderId, RatesInput request, CancellationToken ct)
        {
            if (request.From is not null || request.ShipTo is not null || request.Parcels is not null || request.Lines is not null
                || request.Currency is not null || request.DeclaredValue is not null || request.DangerousGoods is not null)
            {
                var errors = new ValidationErrors();
                errors.Add("orderId", "An order gives the address, the goods and the currency: send orderId alone, or with warehouseId.");
                return errors.ToError("rates.invalid", "The rate request has invalid fields.");
            }
            var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId, ct);
            if (order is null)
            {
                return Error.NotFound("orders.not_found", $"No order {orderId}.");
            }
            var warehouse = await ShipFrom.ResolveAsync(db, request.WarehouseId, order.WarehouseId, ct);
            if (!warehouse.IsSuccess)
            {
                return warehouse.Error!;
            }
            var currency = await db.Tenants.Where(t => t.Id == db.TenantId).Select(t => t.Currency).SingleAsync(ct);
            var rateRequest = BookShipments.RateRequestFor(order, warehouse.Value, currency, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
            return rateRequest.IsSuccess ? Quote(rateRequest.Value) : rateRequest.Error!;
        }

        private static RatesView Quote(RateRequest request)
        {
            var result = Rates.Quote(request, SandboxCatalogue.Default, ExchangeRates.Default);
            return new RatesView(
                request.From.Value, request.To.Value, request.Currency.Code, request.Date,
                request.Parcels.Select(p => new ParcelInput(Decimals.Normalize(p.WeightKg), p.LengthCm, p.WidthCm, p.HeightCm)).ToList(),
                request.DangerousGoods,
                result.Routes.Select(r => new RouteView(
                    r.Id,
                    r.Legs.Select(l => new RouteLegView(l.Role, l.ServiceId, l.Carrier, Decimals.Normalize(l.ChargeableWeightKg), MoneyView.Of(l.Price), MoneyView.Of(l.PriceInRequestCurrency))).ToList(),
                    MoneyView.Of(r.Total),
                    new TransitDaysView(r.TransitDaysP50, r.TransitDaysP90),
                    r.PromiseDays)).ToList(),
                result.LeftOut.Select(l => new LeftOutView(l.ServiceId, l.Code, l.Reason)).ToList());
        }

        /// <summary>The parcels (given, or packed from the lines), their dangerous goods and declared value.</summary>
        private static (List<Parcel> Parcels, IReadOnlyList<string> DangerousGoods, decimal Declared) Goods(RatesInput request, ValidationErrors errors)
        {
            var parcels = new List<Parcel>();
            IReadOnlyList<string> dangerousGoods = [];
            var declared = 0m;
            if ((request.Parcels is null) == (request.Lines is null))
            {
                errors.Add("parcels", "Give either parcels or lines (packed into one parcel), not both.");
                return (parcels, dangerousGoods, declared);
            }
            if (request.Parcels is { } given)
            {
                if (given.Count is 0 or > MaxParcels)
                {
                    errors.Add("parcels", $"1 to {MaxParcels} parcels.");
                }
                for (var i = 0; i < Math.Min(given.Count, MaxParcels); i++)
                {
                    var p = given[i];
                    var ok = Positive(errors, $"parcels[{i}].weightKg", p?.WeightKg, 1000)
                        & Positive(errors, $"parcels[{i}].lengthCm", p?.LengthCm, 500)
                        & Positive(errors, $"parcels[{i}].widthCm", p?.WidthCm, 500)
                        & Positive(errors, $"parcels[{i}].heightCm", p?.HeightCm, 500);
                    if (ok)
                    {
                        parcels.Add(new Parcel(p!.WeightKg!.Value, p.LengthCm!.Value, p.WidthCm!.Value, p.HeightCm!.Value));
                    }
                }
                if (request.DangerousGoods is { } declaredGoods)
                {
                    dangerousGoods = Orders.DangerousGoods.Normalize(declaredGoods, out var reason) ?? [];
                    if (reason is not null)
                    {
                        errors.Add("dangerousGoods", reason);
                    }
                }
                if (request.DeclaredValue is { } value)
                {
                    if (value < 0)
                    {
                        errors.Add("declaredValue", "The declared value is 0 or more.");
                    }
                    declared = value;
                }
                return (parcels, dangerousGoods, declared);
            }
            var lines = request.Lines!;
            if (lines.Count is 0 or > ValidateOrder.MaxLines)
            {
                errors.Add("lines", $"1 to {ValidateOrder.MaxLines} lines.");
                return (parcels, dangerousGoods, declared);
            }
            // The same rules as an order's lines.
            var valid = new List<ValidOrderLine>(lines.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                if (ValidateOrder.ValidateLine(lines[i], $"lines[{i}]", errors) is { } line)
                {
                    valid.Add(line);
                }
            }
            var weight = valid.Sum(l => l.UnitWeight.Kilograms * l.Quantity);
            declared = valid.Sum(l => l.UnitPrice * l.Quantity);
            dangerousGoods = Orders.DangerousGoods.Union(valid.Select(l => l.DangerousGoods));
            if (errors.IsEmpty)
            {
                if (DefaultPackaging.Default.Pack(weight, out var packReason) is { } parcel)
                {
                    parcels.Add(parcel);
                }
                else
                {
                    errors.Add("lines", packReason!);
                }
            }
            return (parcels, dangerousGoods, declared);
        }

        private static bool Positive(ValidationErrors errors, string field, decimal? value, decimal max)
        {
            if (value is { } v && v > 0 && v <= max)
            {
                return true;
            }
            errors.Add(field, $"Required, greater than 0 and at most {max}.");
            return false;
        }
    }
}
