using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tracking;

public sealed record LegInput(string? Carrier, string? TrackingNumber, string? Role);

/// <summary>
/// Registers a shipment and its legs. A leg's carrier is detected from its number when omitted. A (carrier, number)
/// belongs to one shipment per tenant. Events that arrived before the leg was registered are attached now.
/// </summary>
public static class RegisterShipment
{
    public sealed record Request(string? OrderId, IReadOnlyList<LegInput>? Legs);

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<ShipmentView>> HandleAsync(Request request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            Guid? orderId = null;
            if (!string.IsNullOrWhiteSpace(request.OrderId))
            {
                if (!Guid.TryParse(request.OrderId, out var id))
                {
                    errors.Add("orderId", $"'{request.OrderId}' is not an order id.");
                }
                else
                {
                    orderId = id;
                }
            }
            if (request.Legs is null || request.Legs.Count == 0)
            {
                errors.Add("legs", "A shipment needs at least one leg.");
            }
            else if (request.Legs.Count > 20)
            {
                errors.Add("legs", "A shipment has at most 20 legs.");
            }
            var legs = new List<ValidLeg>();
            for (var i = 0; i < (request.Legs?.Count ?? 0) && request.Legs!.Count <= 20; i++)
            {
                var result = ValidLeg.Check(request.Legs[i], $"legs[{i}]", errors);
                if (result.Error is { } error)
                {
                    return error;
                }
                if (result.Value is { } leg)
                {
                    if (legs.Any(l => l.Carrier == leg.Carrier && l.TrackingNumber == leg.TrackingNumber))
                    {
                        errors.Add($"legs[{i}].trackingNumber", "The same carrier and number appear twice.");
                    }
                    legs.Add(leg);
                }
            }
            if (!errors.IsEmpty)
            {
                return errors.ToError("tracking.shipment_invalid", "The shipment has invalid fields.");
            }
            if (orderId is { } order && !(await new Orders.GetOrder.Handler(db).HandleAsync(order, ct)).IsSuccess)
            {
                return new Error(ErrorKind.Unprocessable, "orders.not_found", $"No order {order}: create the order first or leave orderId out.");
            }
            var now = clock.UtcNow();
            var shipment = Shipment.Create(db.TenantId, orderId, now);
            foreach (var leg in legs)
            {
                shipment.AddLeg(leg.Role, leg.Carrier, leg.TrackingNumber, now);
            }
            return await SaveWithLegsAsync(db, shipment, shipment.Legs, now, ct);
        }
    }

    /// <summary>Saves new legs, checks each (carrier, number) is free, attaches waiting events, merges them.</summary>
    internal static async Task<Result<ShipmentView>> SaveWithLegsAsync(WaybillDb db, Shipment shipment, IEnumerable<ShipmentLeg> newLegs, DateTimeOffset now, CancellationToken ct)
    {
        var added = newLegs.ToList();
        foreach (var leg in added)
        {
            if (await db.ShipmentLegs.AnyAsync(l => l.Carrier == leg.Carrier && l.TrackingNumber == leg.TrackingNumber, ct))
            {
                return LegTaken(leg);
            }
        }
        var outer = db.Database.CurrentTransaction;
        await using var own = outer is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await db.BeginLegRegistrationAsync(ct);
            if (db.Entry(shipment).State == EntityState.Detached)
            {
                db.Shipments.Add(shipment);
            }
            else
            {
                // The event writer may have merged events since the shipment was read: read its state again, now that
                // no ingest can run until this transaction ends.
                await db.Entry(shipment).ReloadAsync(ct);
                // A leg added to a loaded shipment carries its own id, which EF would take for an existing row.
                db.ShipmentLegs.AddRange(added);
            }
            await db.SaveChangesAsync(ct);
            var waiting = new List<TrackingEvent>();
            foreach (var leg in added)
            {
                var key = TrackingKeys.LegKeyOf(db.TenantId, leg.Carrier, leg.TrackingNumber);
                var events = await db.TrackingEvents
                    .Where(e => e.LegKey == key && e.LegId == null && e.Carrier == leg.Carrier && e.TrackingNumber == leg.TrackingNumber)
                    .ToListAsync(ct);
                foreach (var e in events)
                {
                    e.AttachTo(shipment.Id, leg.Id);
                }
                waiting.AddRange(events);
            }
            foreach (var e in waiting)
            {
                shipment.Merge(e, now);
            }
            // What the writer would have decided, had the leg been known when the events came: in this transaction too.
            await NotificationOutbox.AddAsync(db, NotificationDecision.ForMerged(shipment, waiting, now), now, ct);
            await db.SaveChangesAsync(ct);
            if (own is not null)
            {
                await own.CommitAsync(ct);
            }
        }
        catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return LegTaken(added[0]);
        }
        // The view the list and GET give (order, lane, exceptions), without a forecast.
        return (await ShipmentViews.LoadAsync(db, [shipment], null, now, ct))[0];
    }

    private static Error LegTaken(ShipmentLeg leg) =>
        Error.Conflict("tracking.leg_taken", $"{leg.Carrier} {leg.TrackingNumber} already belongs to a shipment.");
}

internal sealed record ValidLeg(string Carrier, string TrackingNumber, LegRole? Role)
{
    /// <summary>Field errors go to <paramref name="errors"/>; an undetectable carrier is a 422 of its own.</summary>
    public static (ValidLeg? Value, Error? Error) Check(LegInput? input, string path, ValidationErrors errors)
    {
        if (input is null)
        {
            errors.Add(path, "The leg is empty.");
            return (null, null);
        }
        var number = string.IsNullOrWhiteSpace(input.TrackingNumber) ? "" : Carriers.NormalizeNumber(input.TrackingNumber);
        if (number.Length is 0 or > 64)
        {
            errors.Add($"{path}.trackingNumber", "A tracking number of 1 to 64 characters is required.");
        }
        LegRole? role = null;
        if (!string.IsNullOrWhiteSpace(input.Role))
        {
            if (TrackingNames.TryParse<LegRole>(input.Role, out var r))
            {
                role = r;
            }
            else
            {
                errors.Add($"{path}.role", $"'{input.Role}' is not a leg role: first_mile, line_haul, last_mile or end_to_end.");
            }
        }
        string? carrier = null;
        if (!string.IsNullOrWhiteSpace(input.Carrier))
        {
            carrier = Carriers.Canonical(input.Carrier);
            if (carrier is null)
            {
                errors.Add($"{path}.carrier", $"'{input.Carrier}' is not a carrier Waybill knows.");
            }
        }
        else if (number.Length > 0)
        {
            var candidates = Carriers.Detect(number);
            if (candidates.Count == 0)
            {
                return (null, new Error(ErrorKind.Unprocessable, "tracking.carrier_unknown",
                    $"No carrier's number format matches {number}; name the carrier in {path}.carrier."));
            }
            if (candidates.Count > 1)
            {
                return (null, new Error(ErrorKind.Unprocessable, "tracking.carrier_ambiguous",
                    $"{number} matches several carriers ({string.Join(", ", candidates)}); name one in {path}.carrier.")
                {
                    Details = new { field = $"{path}.carrier", candidates },
                });
            }
            carrier = candidates[0];
        }
        return carrier is null || number.Length == 0 ? (null, null) : (new ValidLeg(carrier, number, role), null);
    }
}
