using System.Globalization;
using System.Text.RegularExpressions;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tracking;

/// <summary>An event as a carrier feed sends it: plain strings.</summary>
public sealed record EventInput(string? TrackingNumber, string? Carrier, string? Code, string? Description, string? OccurredAt, LocationInput? Location);

public sealed record LocationInput(string? City, string? PostalCode, string? Country);

/// <summary>
/// Stores a batch of carrier events for the tenant and merges them into their shipments: each event is checked here,
/// on the request's thread; the valid ones go to the process's <see cref="EventWriter"/>, and the answer comes only
/// after the transaction holding them has committed. Refused events do not stop the rest. Equal events (same number,
/// carrier, code, second, country, city ignoring case, postal code) are stored once.
/// </summary>
public static partial class IngestEvents
{
    public const int MaxBatch = 10_000;

    public sealed record Request(IReadOnlyList<EventInput>? Events);

    public sealed record Rejection(int Index, string Code, string Message);

    /// <summary><c>accepted</c>: new events stored; <c>duplicates</c>: already stored (or repeated in the batch);
    /// <c>unmatched</c>: of the accepted, those no shipment has yet (attached when their leg is registered).</summary>
    public sealed record Response(int Accepted, int Duplicates, int Unmatched, IReadOnlyList<Rejection> Rejected);

    public sealed class Handler(WaybillDb db, EventWriter writer)
    {
        public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
        {
            if (request.Events is null || request.Events.Count == 0)
            {
                var errors = new ValidationErrors();
                errors.Add("events", "Send at least one event.");
                return errors.ToError("tracking.batch_empty", "The batch has no events.");
            }
            if (request.Events.Count > MaxBatch)
            {
                var errors = new ValidationErrors();
                errors.Add("events", $"At most {MaxBatch} events per batch.");
                return errors.ToError("tracking.batch_too_large", $"Split the batch into batches of at most {MaxBatch} events.");
            }

            var rejected = new List<Rejection>();
            // The rows are built here, on the request's thread, so that the writer only writes.
            var receivedAt = writer.Clock.UtcNow();
            var valid = new List<EventRow>(request.Events.Count);
            for (var i = 0; i < request.Events.Count; i++)
            {
                var (e, rejection) = Validate(db.TenantId, request.Events[i], i, receivedAt, writer);
                if (rejection is not null)
                {
                    rejected.Add(rejection);
                }
                else
                {
                    valid.Add(e!);
                }
            }
            var outcome = await writer.WriteAsync(valid, ct);
            return new Response(outcome.Accepted, outcome.Duplicates, outcome.Unmatched, rejected);
        }
    }

    /// <summary>
    /// Checks one event and builds its row; with the writer, a leg its cache knows is matched here, on the request's
    /// thread, and its key taken from the cache.
    /// </summary>
    internal static (EventRow? Row, Rejection? Rejection) Validate(Guid tenantId, EventInput? input, int index, DateTimeOffset receivedAt, EventWriter? writer = null)
    {
        if (input is null)
        {
            return (null, new Rejection(index, "tracking.event_empty", "The event is empty."));
        }
        if (string.IsNullOrWhiteSpace(input.TrackingNumber))
        {
            return (null, new Rejection(index, "tracking.number_missing", "The event has no tracking number."));
        }
        var number = Carriers.NormalizeNumber(input.TrackingNumber);
        if (number.Length is 0 or > 64)
        {
            return (null, new Rejection(index, "tracking.number_invalid", "A tracking number has 1 to 64 characters."));
        }
        if (string.IsNullOrWhiteSpace(input.Carrier) || Carriers.Canonical(input.Carrier) is not { } carrier)
        {
            return (null, new Rejection(index, "tracking.carrier_missing", "The event names no known carrier."));
        }
        var code = input.Code?.Trim();
        if (string.IsNullOrEmpty(code) || code.Length > 64)
        {
            return (null, new Rejection(index, "tracking.code_missing", "The event has no event code (1 to 64 characters)."));
        }
        if (string.IsNullOrWhiteSpace(input.OccurredAt))
        {
            return (null, new Rejection(index, "tracking.time_missing", "The event has no occurredAt."));
        }
        var text = input.OccurredAt.Trim();
        var withOffset = Iso8601WithOffset().IsMatch(text); // IsMatch, not Match: nothing allocated per event
        if (!(withOffset || Iso8601().IsMatch(text)) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            return (null, new Rejection(index, "tracking.time_invalid", $"'{input.OccurredAt}' is not an ISO 8601 date and time."));
        }
        if (!withOffset)
        {
            return (null, new Rejection(index, "tracking.offset_missing", $"'{input.OccurredAt}' has no UTC offset (add Z or +hh:mm): the instant is ambiguous."));
        }
        if (!CountryCode.TryCreate(input.Location?.Country, out var country, out _))
        {
            return (null, new Rejection(index, "tracking.country_unknown", $"'{input.Location?.Country}' is not an ISO 3166-1 alpha-2 country."));
        }
        var city = Clean(input.Location?.City, 100);
        var postal = Clean(input.Location?.PostalCode, 20)?.ToUpperInvariant();
        var description = Clean(input.Description, 500) ?? "";
        var mapping = EventMapping.Default.Find(carrier, code, description);
        EventWriter.CachedLeg leg = default;
        var known = writer?.TryGetLeg(tenantId, carrier, number, out leg) ?? false;
        return (new EventRow
        {
            TenantId = tenantId,
            Carrier = carrier,
            TrackingNumber = number,
            Code = code,
            Description = description,
            Status = mapping?.Status,
            Milestone = mapping?.Milestone,
            ExceptionReason = mapping?.Exception,
            Unmapped = mapping is null,
            OccurredAt = at.ToUniversalTime(),
            OffsetMinutes = (int)at.Offset.TotalMinutes,
            City = city,
            PostalCode = postal,
            Country = country.Value,
            LegKey = known ? leg.LegKey : TrackingKeys.LegKeyOf(tenantId, carrier, number),
            ShipmentId = known ? leg.ShipmentId : null,
            LegId = known ? leg.LegId : null,
            EventKey = TrackingKeys.EventKeyOf(tenantId, number, carrier, code, at, country, city, postal),
            ReceivedAt = receivedAt,
        }, null);
    }

    private static string? Clean(string? text, int max)
    {
        var value = text?.Trim();
        return string.IsNullOrEmpty(value) ? null : value.Length > max ? value[..max] : value;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Iso8601();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Iso8601WithOffset();
}
