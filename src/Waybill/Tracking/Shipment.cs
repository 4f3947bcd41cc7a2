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
    public long? LastEventId { get; private set; }

    public DateTimeOffset? LastEventAt { get; private set; }

    public int LastEventRank { get; private set; }

    public string? LastEventCode { get; private set; }

    public DateTimeOffset? ExpectedEarliest { get; private set; }

    public DateTimeOffset? ExpectedLatest { get; private set; }

    /// <summary>What the booking costs the seller, in the tenant's currency (null for a shipment registered, not booked).</summary>
    public decimal? PriceAmount { get; private set; }

    public Currency? PriceCurrency { get; private set; }

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

    /// <summary>A booked shipment's price and its expected delivery window.</summary>
    internal void Book(Money price, DateTimeOffset earliest, DateTimeOffset latest)
    {
        PriceAmount = price.Amount;
        PriceCurrency = price.Currency;
        ExpectedEarliest = earliest;
        ExpectedLatest = latest;
    }

    internal ShipmentLeg AddLeg(LegRole? role, string carrier, string trackingNumber, DateTimeOffset now, string? service = null, Money? price = null)
    {
        var leg = ShipmentLeg.Create(this, _legs.Count + 1, role, carrier, trackingNumber, now, service, price);
        _legs.Add(leg);
        UpdatedAt = now;
        return leg;
    }

    /// <summary>The merge state, as the ingest writer folds it.</summary>
    internal ShipmentState State => new(Status, Milestone, LastEventId, LastEventAt, LastEventRank, LastEventCode, Version);

    /// <summary>
    /// Folds one event into the state. Commutative and idempotent: any order, any repetition, same result.
    /// Unmapped events (no status) are kept on the timeline but do not move the state.
    /// </summary>
    internal void Merge(TrackingEvent e, DateTimeOffset now)
    {
        var state = State;
        if (!state.Merge(e.Id, e.Status, e.Milestone, e.OccurredAt, e.Code))
        {
            return;
        }
        Status = state.Status;
        Milestone = state.Milestone;
        LastEventId = state.LastEventId;
        LastEventAt = state.LastEventAt;
        LastEventRank = state.LastEventRank;
        LastEventCode = state.LastEventCode;
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>
/// A shipment's merged state: the highest milestone reached, and the status of the latest event by
/// (time, status rank, code). <see cref="Merge"/> is commutative and idempotent, so events merge the same way in any
/// arrival order, any number of times, one by one or in batches.
/// </summary>
internal sealed class ShipmentState(
    TrackingStatus status, Milestone? milestone, long? lastEventId, DateTimeOffset? lastEventAt, int lastEventRank, string? lastEventCode, int version)
{
    public TrackingStatus Status { get; private set; } = status;

    public Milestone? Milestone { get; private set; } = milestone;

    public long? LastEventId { get; private set; } = lastEventId;

    public DateTimeOffset? LastEventAt { get; private set; } = lastEventAt;

    public int LastEventRank { get; private set; } = lastEventRank;

    public string? LastEventCode { get; private set; } = lastEventCode;

    private TrackingStatus _storedStatus = status;
    private Milestone? _storedMilestone = milestone;

    /// <summary>The stored row's version this state was read at (the optimistic-concurrency token).</summary>
    public int Version { get; private set; } = version;

    /// <summary>The shipment has an order, so a buyer: the event writer decides buyer notifications for it only.</summary>
    public bool HasOrder { get; init; }

    /// <summary>SQLite's rowid of the shipment (0 when unknown): the writer's updates find the row by it.</summary>
    public long RowId { get; init; }

    /// <summary>True when the status (a column lists filter by, and so indexed) differs from the row's.</summary>
    public bool StatusChanged => Status != _storedStatus;

    /// <summary>True when the milestone (indexed too) differs from the row's.</summary>
    public bool MilestoneChanged => Milestone != _storedMilestone;

    /// <summary>
    /// The once-per-shipment notification kinds this process's writer has already decided for the shipment (a bit per
    /// <see cref="Notifications.NotificationKinds.Buyer"/> index): a repeat would be dropped by the log's unique key
    /// anyway; not deciding it saves ingest an outbox row. Lost with the cached state, which only costs that row again.
    /// </summary>
    public int DecidedKinds { get; set; }

    /// <summary>The event writer's mark: this state is in the transaction's list of states to write.</summary>
    public bool Queued { get; set; }

    /// <summary>The state was written: the row now holds it, one version on.</summary>
    public void MarkStored()
    {
        _storedStatus = Status;
        _storedMilestone = Milestone;
        Version++;
    }

    /// <summary>Folds one event in; true when the state changed.</summary>
    public bool Merge(long eventId, TrackingStatus? status, Milestone? milestone, DateTimeOffset occurredAt, string code)
    {
        if (status is not { } s)
        {
            return false;
        }
        var changed = false;
        if (milestone is { } m && (Milestone is null || m > Milestone))
        {
            Milestone = m;
            changed = true;
        }
        var rank = (int)s;
        if (LastEventAt is null || Later(occurredAt, rank, code, LastEventAt.Value, LastEventRank, LastEventCode ?? ""))
        {
            changed |= LastEventId != eventId;
            Status = s;
            LastEventId = eventId;
            LastEventAt = occurredAt;
            LastEventRank = rank;
            LastEventCode = code;
        }
        return changed;
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

    /// <summary>The carrier's service, for a booked leg.</summary>
    public string? Service { get; private set; }

    public decimal? PriceAmount { get; private set; }

    public Currency? PriceCurrency { get; private set; }

    internal static ShipmentLeg Create(Shipment shipment, int sequence, LegRole? role, string carrier, string trackingNumber, DateTimeOffset now, string? service = null, Money? price = null) => new()
    {
        Service = service,
        PriceAmount = price?.Amount,
        PriceCurrency = price?.Currency,
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
/// One carrier scan, normalised. Stored once (by <see cref="LegKey"/> and <see cref="EventKey"/>), kept even before any shipment claims
/// its number (then <see cref="LegId"/> is null until the leg is registered).
/// </summary>
public sealed class TrackingEvent
{
    private TrackingEvent()
    {
    }

    /// <summary>Assigned by the ingest writer, increasing in the order events were stored.</summary>
    public long Id { get; private set; }

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

    /// <summary>
    /// 64 bits of the SHA-256 of tenant, carrier and number (<see cref="TrackingKeys.LegKeyOf"/>): the events of one
    /// leg share it, and the table's one index starts with it (timelines, waiting events, duplicates).
    /// </summary>
    public long LegKey { get; private set; }

    /// <summary>
    /// 64 bits of the SHA-256 of the event's identity (<see cref="TrackingKeys.EventKeyOf"/>); (LegKey, EventKey) is
    /// unique, so an event equal to a stored one is stored once.
    /// </summary>
    public long EventKey { get; private set; }

    public DateTimeOffset ReceivedAt { get; private set; }

    public DateTimeOffset LocalTime => OccurredAt.ToOffset(TimeSpan.FromMinutes(OffsetMinutes));

    internal void AttachTo(Guid shipmentId, Guid legId)
    {
        ShipmentId = shipmentId;
        LegId = legId;
    }
}
