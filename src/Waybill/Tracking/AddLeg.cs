using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tracking;

/// <summary>Adds a leg at a hand-over (a new carrier and number for the rest of the journey).</summary>
public static class AddLeg
{
    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<ShipmentView>> HandleAsync(Guid shipmentId, LegInput request, CancellationToken ct)
        {
            var shipment = await db.Shipments.Include(s => s.Legs).SingleOrDefaultAsync(s => s.Id == shipmentId, ct);
            if (shipment is null)
            {
                return GetShipment.NotFound(shipmentId);
            }
            var errors = new ValidationErrors();
            var (leg, error) = ValidLeg.Check(request, "leg", errors);
            if (error is not null)
            {
                return error;
            }
            if (!errors.IsEmpty || leg is null)
            {
                return errors.ToError("tracking.leg_invalid", "The leg has invalid fields.");
            }
            if (shipment.Legs.Count >= 20)
            {
                return Error.Conflict("tracking.too_many_legs", "A shipment has at most 20 legs.");
            }
            var now = clock.UtcNow();
            var added = shipment.AddLeg(leg.Role, leg.Carrier, leg.TrackingNumber, now);
            return await RegisterShipment.SaveWithLegsAsync(db, shipment, [added], now, ct);
        }
    }
}
