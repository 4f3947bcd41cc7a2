using Waybill.Common;

namespace Waybill.Tracking;

/// <summary>
/// One parcel's journey: 1..n legs, each one carrier's tracking number, and one timeline across them.
/// Its state merges events the same way in any arrival order: the milestone is the highest-ranked milestone
/// reached; the status comes from the latest event by (time, rank, code).
/// </summary>
public sealed class Shipment
{
    private readonly List<ShipmentLeg> _legs = [];

    private Shipment()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid? OrderId { get; private set; }

    public TrackingStatus Status { get; private set; }

    public Milestone? Milestone { get; private set; }

    /// <summary>The event that decides <see cref="Status"/>: the latest by (time, status rank, code).</summary>
    public Guid? LastEventId { get; private set; }

    public DateTimeOffset? LastEventAt { get; private set; }

    public int LastEventRank { get; private set; }

    public string? LastEventCode { get; private set; }

    public DateTimeOffset? ExpectedEarliest { get; private set; }

    public DateTimeOffset? ExpectedLatest { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Optimistic concurrency: two batches merging into one shipment at once cannot lose either's events.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<ShipmentLeg> Legs => _legs;

    internal static Shipment Create(Guid tenantId, Guid? orderId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        OrderId = orderId,
        Status = TrackingStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
    };

    internal ShipmentLeg AddLeg(LegRole? role, string carrier, string trackingNumber, DateTimeOffset now)
    {
        var leg = ShipmentLeg.Create(this, _legs.Count + 1, role, carrier, trackingNumber, now);
        _legs.Add(leg);
        UpdatedAt = now;
        return leg;
    }

    /// <summary>
    /// Folds one event into the state. Commutative and idempotent: any order, any repetition, same result.
    /// Unmapped events (no status) are kept on the timeline but do not move the state.
    /// </summary>
    internal void Merge(TrackingEvent e, DateTimeOffset now)
    {
        if (e.Status is not { } status)
        {
            return;
        }
        var before = (Milestone, LastEventId);
        if (e.Milestone is { } milestone && (Milestone is null || milestone > Milestone))
        {
            Milestone = milestone;
        }
        var rank = (int)status;
        if (LastEventAt is null || Later(e.OccurredAt, rank, e.Code, LastEventAt.Value, LastEventRank, LastEventCode ?? ""))
        {
            Status = status;
            LastEventId = e.Id;
            LastEventAt = e.OccurredAt;
            LastEventRank = rank;
            LastEventCode = e.Code;
        }
        if (before != (Milestone, LastEventId))
        {
            UpdatedAt = now;
            Version++;
        }
    }

    private static bool Later(DateTimeOffset at, int rank, string code, DateTimeOffset otherAt, int otherRank, string otherCode) =>
        at != otherAt ? at > otherAt
        : rank != otherRank ? rank > otherRank
        : string.CompareOrdinal(code, otherCode) > 0;
}

public sealed class ShipmentLeg
{
    private ShipmentLeg()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid ShipmentId { get; private set; }

    public int Sequence { get; private set; }

    public LegRole? Role { get; private set; }

    public string Carrier { get; private set; } = "";

    /// <summary>Upper-case, without spaces: the form every lookup uses.</summary>
    public string TrackingNumber { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    internal static ShipmentLeg Create(Shipment shipment, int sequence, LegRole? role, string carrier, string trackingNumber, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = shipment.TenantId,
        ShipmentId = shipment.Id,
        Sequence = sequence,
        Role = role,
        Carrier = carrier,
        TrackingNumber = trackingNumber,
        CreatedAt = now,
    };
}

/// <summary>
/// One carrier scan, normalised. Stored once (by <see cref="DedupKey"/>), kept even before any shipment claims
/// its number (then <see cref="LegId"/> is null until the leg is registered).
/// </summary>
public sealed class TrackingEvent
{
    private TrackingEvent()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Carrier { get; private set; } = "";

    public string TrackingNumber { get; private set; } = "";

    public Guid? ShipmentId { get; private set; }

    public Guid? LegId { get; private set; }

    public string Code { get; private set; } = "";

    public string Description { get; private set; } = "";

    /// <summary>Null when the carrier's code is not in the mapping yet (<see cref="Unmapped"/>).</summary>
    public TrackingStatus? Status { get; private set; }

    public Milestone? Milestone { get; private set; }

    public string? ExceptionReason { get; private set; }

    public bool Unmapped { get; private set; }

    /// <summary>The instant, in UTC.</summary>
    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>The carrier's own UTC offset for the scan, in minutes, to show local time.</summary>
    public int OffsetMinutes { get; private set; }

    public string? City { get; private set; }

    public string? PostalCode { get; private set; }

    public CountryCode Country { get; private set; }

    /// <summary>SHA-256 of number, carrier, code, instant to the second, country, city (ignoring case), postal code.</summary>
    public string DedupKey { get; private set; } = "";

    public DateTimeOffset ReceivedAt { get; private set; }

    public DateTimeOffset LocalTime => OccurredAt.ToOffset(TimeSpan.FromMinutes(OffsetMinutes));

    internal static TrackingEvent Create(Guid tenantId, ValidEvent e, EventMapping.Entry? mapping, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        Carrier = e.Carrier,
        TrackingNumber = e.TrackingNumber,
        Code = e.Code,
        Description = e.Description,
        Status = mapping?.Status,
        Milestone = mapping?.Milestone,
        ExceptionReason = mapping?.Exception,
        Unmapped = mapping is null,
        OccurredAt = e.OccurredAt.ToUniversalTime(),
        OffsetMinutes = (int)e.OccurredAt.Offset.TotalMinutes,
        City = e.City,
        PostalCode = e.PostalCode,
        Country = e.Country,
        DedupKey = e.DedupKey,
        ReceivedAt = now,
    };

    internal void AttachTo(Guid shipmentId, Guid legId)
    {
        ShipmentId = shipmentId;
        LegId = legId;
    }
}
