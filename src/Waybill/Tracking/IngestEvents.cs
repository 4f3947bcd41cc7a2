using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tracking;

/// <summary>An event as a carrier feed sends it: plain strings.</summary>
public sealed record EventInput(string? TrackingNumber, string? Carrier, string? Code, string? Description, string? OccurredAt, LocationInput? Location);

public sealed record LocationInput(string? City, string? PostalCode, string? Country);

internal sealed record ValidEvent(
    string TrackingNumber, string Carrier, string Code, string Description, DateTimeOffset OccurredAt,
    string? City, string? PostalCode, CountryCode Country, string DedupKey);

/// <summary>
/// Stores a batch of carrier events for the tenant and merges them into their shipments, in one transaction:
/// the answer comes only after the commit. Each event is checked on its own; refused events do not stop the rest.
/// Equal events (same number, carrier, code, second, country, city ignoring case, postal code) are stored once.
/// </summary>
public static partial class IngestEvents
{
    public const int MaxBatch = 10_000;

    public sealed record Request(IReadOnlyList<EventInput>? Events);

    public sealed record Rejection(int Index, string Code, string Message);

    /// <summary><c>accepted</c>: new events stored; <c>duplicates</c>: already stored (or repeated in the batch);
    /// <c>unmatched</c>: of the accepted, those no shipment has yet (attached when their leg is registered).</summary>
    public sealed record Response(int Accepted, int Duplicates, int Unmatched, IReadOnlyList<Rejection> Rejected);

    public sealed class Handler(WaybillDb db, TimeProvider clock)
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
            var valid = new List<ValidEvent>(request.Events.Count);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = 0;
            for (var i = 0; i < request.Events.Count; i++)
            {
                var (e, rejection) = Validate(request.Events[i], i);
                if (rejection is not null)
                {
                    rejected.Add(rejection);
                }
                else if (!keys.Add(e!.DedupKey))
                {
                    duplicates++;
                }
                else
                {
                    valid.Add(e);
                }
            }

            // Two batches racing on PostgreSQL may both find an event new, or merge into one shipment at once:
            // the loser rolls back and runs again, now seeing the winner's rows.
            for (var attempt = 1; ; attempt++)
            {
                var outer = db.Database.CurrentTransaction;
                await using var own = outer is null ? await db.Database.BeginTransactionAsync(ct) : null;
                if (outer is not null)
                {
                    await outer.CreateSavepointAsync("ingest_events", ct);
                }
                try
                {
                    var (accepted, unmatched, storedDuplicates) = await StoreAsync(valid, clock.UtcNow(), ct);
                    if (own is not null)
                    {
                        await own.CommitAsync(ct);
                    }
                    return new Response(accepted, duplicates + storedDuplicates, unmatched, rejected);
                }
                catch (Exception ex) when (attempt < 3 && IsRace(ex))
                {
                    db.ChangeTracker.Clear();
                    if (own is not null)
                    {
                        await own.RollbackAsync(CancellationToken.None);
                    }
                    else
                    {
                        await outer!.RollbackToSavepointAsync("ingest_events", CancellationToken.None);
                    }
                }
            }
        }

        private bool IsRace(Exception ex) =>
            ex is DbUpdateConcurrencyException || db.IsUniqueViolation(ex);

        private async Task<(int Accepted, int Unmatched, int Duplicates)> StoreAsync(List<ValidEvent> valid, DateTimeOffset now, CancellationToken ct)
        {
            var stored = await ExistingKeysAsync(valid.Select(e => e.DedupKey), ct);
            var fresh = valid.Where(e => !stored.Contains(e.DedupKey)).ToList();
            await db.HoldLegRegistrationsAsync(ct);
            var legs = await LegsAsync(fresh.Select(e => (e.Carrier, e.TrackingNumber)).Distinct().ToList(), ct);
            var events = new List<TrackingEvent>(fresh.Count);
            var unmatched = 0;
            foreach (var e in fresh)
            {
                var created = TrackingEvent.Create(db.TenantId, e, EventMapping.Default.Find(e.Carrier, e.Code), now);
                if (legs.TryGetValue((e.Carrier, e.TrackingNumber), out var leg))
                {
                    created.AttachTo(leg.ShipmentId, leg.LegId);
                }
                else
                {
                    unmatched++;
                }
                events.Add(created);
            }
            await BulkWriter.InsertAsync(db, events, null, ct);
            await MergeAsync(db, events.Where(e => e.ShipmentId is not null).ToList(), now, ct);
            return (events.Count, unmatched, valid.Count - fresh.Count);
        }

        private async Task<HashSet<string>> ExistingKeysAsync(IEnumerable<string> keys, CancellationToken ct)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            foreach (var chunk in keys.Chunk(500))
            {
                var rows = await db.TrackingEvents.AsNoTracking().Where(e => chunk.Contains(e.DedupKey)).Select(e => e.DedupKey).ToListAsync(ct);
                found.UnionWith(rows);
            }
            return found;
        }

        private async Task<Dictionary<(string, string), (Guid ShipmentId, Guid LegId)>> LegsAsync(List<(string Carrier, string Number)> pairs, CancellationToken ct)
        {
            var found = new Dictionary<(string, string), (Guid, Guid)>();
            foreach (var chunk in pairs.Chunk(500))
            {
                var numbers = chunk.Select(p => p.Number).Distinct().ToArray();
                var rows = await db.ShipmentLegs.AsNoTracking()
                    .Where(l => numbers.Contains(l.TrackingNumber))
                    .Select(l => new { l.Carrier, l.TrackingNumber, l.ShipmentId, l.Id })
                    .ToListAsync(ct);
                foreach (var row in rows)
                {
                    found[(row.Carrier, row.TrackingNumber)] = (row.ShipmentId, row.Id);
                }
            }
            return found;
        }
    }

    /// <summary>Folds events into their shipments; each shipment is read and written once per batch.</summary>
    internal static async Task MergeAsync(WaybillDb db, IReadOnlyList<TrackingEvent> events, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var chunk in events.GroupBy(e => e.ShipmentId!.Value).Chunk(500))
        {
            var ids = chunk.Select(g => g.Key).ToArray();
            var shipments = await db.Shipments.Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
            foreach (var group in chunk)
            {
                foreach (var e in group)
                {
                    shipments[group.Key].Merge(e, now);
                }
            }
        }
        await db.SaveChangesAsync(ct);
    }

    private static (ValidEvent?, Rejection?) Validate(EventInput? input, int index)
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
        var shape = Iso8601().Match(text);
        if (!shape.Success || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            return (null, new Rejection(index, "tracking.time_invalid", $"'{input.OccurredAt}' is not an ISO 8601 date and time."));
        }
        if (!shape.Groups["offset"].Success)
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
        var key = DedupKeyOf(number, carrier, code, at, country, city, postal);
        return (new ValidEvent(number, carrier, code, description, at, city, postal, country, key), null);
    }

    private static string? Clean(string? text, int max)
    {
        var value = text?.Trim();
        return string.IsNullOrEmpty(value) ? null : value.Length > max ? value[..max] : value;
    }

    internal static string DedupKeyOf(string number, string carrier, string code, DateTimeOffset at, CountryCode country, string? city, string? postal)
    {
        var seconds = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var text = string.Join('\u001f', number, carrier, code.ToUpperInvariant(), seconds, country.Value, city?.ToUpperInvariant() ?? "", postal ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(?<offset>Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Iso8601();
}
