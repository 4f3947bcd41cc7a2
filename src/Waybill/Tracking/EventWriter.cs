using System.Collections.Concurrent;
using System.Threading.Channels;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Persistence;

namespace Waybill.Tracking;

/// <summary>
/// The one writer of tracking events in a process. Requests hand it their validated batches; it gathers the batches
/// waiting into one transaction (up to <see cref="MaxEventsPerCommit"/> events), stores them, merges them into their
/// shipments, commits, and only then answers each request. While one transaction commits, the next requests queue,
/// so the more concurrent the load, the larger and cheaper the transactions.
/// <list type="bullet">
/// <item>Numbers are matched in memory: a leg, once found, never moves; misses are looked up in the database inside
/// the write transaction, which leg registrations cannot overlap.</item>
/// <item>Duplicates are dropped by the unique (leg key, event key) index (<c>ON CONFLICT DO NOTHING</c>), never by a lookup.</item>
/// <item>Shipment states are kept in memory and folded per transaction; each changed state is written back once, on
/// the condition that its stored version is the one read (a registration in between makes it read and merge
/// again).</item>
/// </list>
/// </summary>
public sealed class EventWriter : IAsyncDisposable
{
    public const int MaxEventsPerCommit = 50_000;

    /// <summary>Above this many cached legs or shipment states, the cache starts again empty (memory stays bounded).</summary>
    private const int MaxCached = 1_000_000;

    private readonly Storage _storage;
    private readonly TimeProvider _clock;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(256) { SingleReader = true });
    private readonly ConcurrentDictionary<(Guid Tenant, string Carrier, string Number), CachedLeg> _legs = [];
    private readonly Dictionary<Guid, ShipmentState> _states = [];
    private readonly Task _loop;

    // Reused from one transaction to the next: at tens of thousands of events, fresh ones would be large-object-heap
    // allocations, and each would bring a full garbage collection nearer, pausing the writer and every request.
    private UInt128[] _sortKeys = [];
    private int[] _positions = [];
    private EventRow[] _gathered = [];
    private int[] _senders = [];
    private bool[] _inserted = [];
    private readonly List<EventRow> _rows = [];
    private readonly List<int> _owners = [];
    private ShipmentState?[] _rowStates = [];
    private readonly HashSet<Guid> _missing = [];
    private readonly List<(Guid Id, ShipmentState State)> _changes = [];
    private readonly List<NotificationDecision> _decisions = [];
    private readonly HashSet<(Guid, string, long)> _decided = [];
    private EventStore? _store;
    private long _commits;
    private long _committed;

    private readonly bool _decideNotifications;

    /// <param name="decideNotifications">False only to measure what deciding notifications costs (the ingest bench).</param>
    public EventWriter(Storage storage, TimeProvider clock, bool decideNotifications = true)
    {
        _storage = storage;
        _clock = clock;
        _decideNotifications = decideNotifications;
        _loop = Task.Run(LoopAsync);

    }

    internal TimeProvider Clock => _clock;

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Events (including duplicates) handled by those transactions.</summary>
    public long EventsCommitted => Interlocked.Read(ref _committed);

    internal readonly record struct Outcome(int Accepted, int Duplicates, int Unmatched);

    /// <summary>A registered leg as the writer caches it, with its key (which would otherwise cost a SHA-256 per event).</summary>
    internal readonly record struct CachedLeg(Guid ShipmentId, Guid LegId, long LegKey);

    /// <summary>
    /// The leg of a tenant's (carrier, number) if the cache knows it (a cached leg is committed and never moves).
    /// Safe from any thread.
    /// </summary>
    internal bool TryGetLeg(Guid tenantId, string carrier, string number, out CachedLeg leg) =>
        _legs.TryGetValue((tenantId, carrier, number), out leg);

    private sealed record Pending(IReadOnlyList<EventRow> Events, TaskCompletionSource<Outcome> Done);

    /// <summary>Stores the events (each row names its tenant); completes after their transaction has committed.</summary>
    internal async Task<Outcome> WriteAsync(IReadOnlyList<EventRow> events, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return default;
        }
        // Matched on the caller's thread where the cache knows the leg (a cached leg is committed and never moves); the
        // writer looks up the rest.
        foreach (var row in events)
        {
            if (row.ShipmentId is null && _legs.TryGetValue((row.TenantId, row.Carrier, row.TrackingNumber), out var leg))
            {
                (row.ShipmentId, row.LegId) = (leg.ShipmentId, leg.LegId);
            }
        }
        var pending = new Pending(events, new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(EventWriter), "The event writer has stopped.");
        }
        // A caller that stops waiting does not withdraw its events: they are stored all the same (and a retry finds
        // them as duplicates).
        return await pending.Done.Task.WaitAsync(ct);
    }

    private async Task LoopAsync()
    {
        var group = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            var count = 0;
            while (count < MaxEventsPerCommit && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
                count += next.Events.Count;
            }
            try
            {
                _store ??= await EventStore.OpenAsync(_storage, CancellationToken.None);
                var outcomes = await CommitAsync(_store, group);
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _committed, count);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Done.TrySetResult(outcomes[i]);
                }
            }
#pragma warning disable CA1031 // Every failure goes to the requests waiting on it; the writer goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Nothing of the transaction is kept: what the caches learnt in it may be rolled back, and the
                // connection may be broken. The next transaction starts from the database again.
                _legs.Clear();
                _states.Clear();
                if (_store is not null)
                {
                    await _store.DisposeAsync();
                    _store = null;
                }
                foreach (var pending in group)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task<Outcome[]> CommitAsync(EventStore store, List<Pending> group)
    {
        var ct = CancellationToken.None;
        var now = _clock.UtcNow();
        var (rows, owners, outcomes) = Gather(group);

        if (_inserted.Length < rows.Count)
        {
            _inserted = new bool[Math.Max(rows.Count, MaxEventsPerCommit * 2)];
        }
        var inserted = _inserted;
        Array.Clear(inserted, 0, rows.Count);
        await store.BeginAsync(ct);
        try
        {
            await store.HoldLegRegistrationsAsync(ct);
            var found = await MatchAsync(store, rows, ct);
            await store.InsertAsync(rows, inserted, ct);
            await MergeAsync(store, rows, inserted, now, ct);
            await store.CommitAsync(ct);

            // Only now, committed, may the caches learn what this transaction saw and wrote.
            if (_legs.Count + found.Count > MaxCached)
            {
                _legs.Clear();
            }
            foreach (var ((tenant, carrier, number), (shipmentId, legId)) in found)
            {
                _legs[(tenant, carrier, number)] = new CachedLeg(shipmentId, legId, TrackingKeys.LegKeyOf(tenant, carrier, number));
            }
        }
        catch
        {
            await store.RollbackAsync();
            throw;
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var o = outcomes[owners[i]];
            outcomes[owners[i]] = inserted[i]
                ? o with { Accepted = o.Accepted + 1, Unmatched = o.Unmatched + (rows[i].ShipmentId is null ? 1 : 0) }
                : o with { Duplicates = o.Duplicates + 1 };
        }
        return outcomes;
    }

    /// <summary>
    /// The group's rows in the order of the (leg key, event key) index, each once, with the index of the request that
    /// sent it; a row sent twice in the group counts as a duplicate of its request. Inserted in index order, the rows
    /// walk the index's pages front to back instead of at random, which makes the inserts about 1.4 times faster (the
    /// ids, given in this order, carry no meaning); and duplicates within the group lie side by side.
    /// </summary>
    private (List<EventRow> Rows, List<int> Owners, Outcome[] Outcomes) Gather(List<Pending> group)
    {
        var count = 0;
        foreach (var pending in group)
        {
            count += pending.Events.Count;
        }
        if (_sortKeys.Length < count)
        {
            var size = Math.Max(count, MaxEventsPerCommit * 2);
            (_sortKeys, _positions, _gathered, _senders) = (new UInt128[size], new int[size], new EventRow[size], new int[size]);
        }
        var (keys, positions, all, from) = (_sortKeys, _positions, _gathered, _senders);
        var n = 0;
        for (var g = 0; g < group.Count; g++)
        {
            foreach (var e in group[g].Events)
            {
                keys[n] = TrackingKeys.IndexOrder(e.LegKey, e.EventKey);
                positions[n] = n;
                all[n] = e;
                from[n] = g;
                n++;
            }
        }
        Array.Sort(keys, positions, 0, count);
        var outcomes = new Outcome[group.Count];
        var (rows, owners) = (_rows, _owners);
        rows.Clear();
        owners.Clear();
        for (var i = 0; i < count; i++)
        {
            var p = positions[i];
            if (i > 0 && keys[i] == keys[i - 1])
            {
                outcomes[from[p]] = outcomes[from[p]] with { Duplicates = outcomes[from[p]].Duplicates + 1 };
                continue;
            }
            rows.Add(all[p]);
            owners.Add(from[p]);
        }
        Array.Clear(all, 0, count); // the rows are not kept alive until the next transaction
        return (rows, owners, outcomes);
    }

    /// <summary>
    /// Sets the shipment and leg of each row its request could not match from the cache (see <see cref="WriteAsync"/>),
    /// from the database; answers the legs found there (cached after commit).
    /// </summary>
    private async Task<Dictionary<(Guid, string, string), (Guid, Guid)>> MatchAsync(EventStore store, List<EventRow> rows, CancellationToken ct)
    {
        var misses = new Dictionary<Guid, HashSet<string>>();
        foreach (var row in rows)
        {
            if (row.ShipmentId is not null)
            {
                continue;
            }
            // The cache may have learnt the leg since the request looked (from the transaction committed just before).
            if (_legs.TryGetValue((row.TenantId, row.Carrier, row.TrackingNumber), out var cached))
            {
                (row.ShipmentId, row.LegId) = (cached.ShipmentId, cached.LegId);
                continue;
            }
            if (misses.TryGetValue(row.TenantId, out var numbers))
            {
                numbers.Add(row.TrackingNumber);
            }
            else
            {
                misses[row.TenantId] = [row.TrackingNumber];
            }
        }
        var found = new Dictionary<(Guid, string, string), (Guid, Guid)>();
        foreach (var (tenant, numbers) in misses)
        {
            foreach (var leg in await store.FindLegsAsync(tenant, numbers, ct))
            {
                found[(tenant, leg.Carrier, leg.TrackingNumber)] = (leg.ShipmentId, leg.LegId);
            }
        }
        if (found.Count > 0)
        {
            foreach (var row in rows)
            {
                if (row.ShipmentId is null && found.TryGetValue((row.TenantId, row.Carrier, row.TrackingNumber), out var leg))
                {
                    (row.ShipmentId, row.LegId) = leg;
                }
            }
        }
        return found;
    }

    /// <summary>
    /// Folds the stored, matched, mapped events into their shipments' states and writes each changed state once. The
    /// states are the cached ones, changed in place (the cache is dropped if the transaction fails), or read from the
    /// database and cached.
    /// </summary>
    private async Task MergeAsync(EventStore store, List<EventRow> rows, bool[] inserted, DateTimeOffset now, CancellationToken ct)
    {
        if (_states.Count > MaxCached)
        {
            _states.Clear();
        }
        if (_rowStates.Length < rows.Count)
        {
            _rowStates = new ShipmentState?[Math.Max(rows.Count, MaxEventsPerCommit * 2)];
        }
        var states = _rowStates;
        var missing = _missing;
        missing.Clear();
        for (var i = 0; i < rows.Count; i++)
        {
            states[i] = null;
            if (inserted[i] && rows[i].ShipmentId is { } id && rows[i].Status is not null && !_states.TryGetValue(id, out states[i]))
            {
                missing.Add(id);
            }
        }
        if (missing.Count > 0)
        {
            foreach (var (id, state) in await store.LoadShipmentsAsync(missing, ct))
            {
                _states[id] = state;
            }
            for (var i = 0; i < rows.Count; i++)
            {
                if (states[i] is null && inserted[i] && rows[i].ShipmentId is { } id && rows[i].Status is not null)
                {
                    states[i] = _states.GetValueOrDefault(id);
                }
            }
        }
        var changes = _changes;
        changes.Clear();
        Fold(null);
        for (var attempt = 1; changes.Count > 0; attempt++)
        {
            // In row order: the updates walk the table's pages once, front to back.
            changes.Sort((a, b) => a.State.RowId.CompareTo(b.State.RowId));
            var stale = await store.UpdateShipmentsAsync(changes, now, ct);
            var staleSet = stale.ToHashSet();
            foreach (var (id, state) in changes)
            {
                state.Queued = false;
                if (!staleSet.Contains(id))
                {
                    state.MarkStored();
                }
            }
            changes.Clear();
            if (stale.Count == 0)
            {
                break;
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException($"Shipment {stale[0]} kept changing while its events were merged.");
            }
            // Changed by someone else since read (a leg registration merging waiting events): read again, merge again.
            var reloaded = await store.LoadShipmentsAsync(staleSet, ct);
            for (var i = 0; i < rows.Count; i++)
            {
                if (states[i] is not null && staleSet.Contains(rows[i].ShipmentId!.Value))
                {
                    states[i] = reloaded.GetValueOrDefault(rows[i].ShipmentId!.Value);
                }
            }
            foreach (var id in staleSet)
            {
                _states.Remove(id);
            }
            foreach (var (id, state) in reloaded)
            {
                _states[id] = state;
            }
            Fold(staleSet);
        }
        if (_decideNotifications)
        {
            await store.InsertNotificationsAsync(Decide(rows, inserted, states, now), now, ct);
        }
        Array.Clear(states, 0, rows.Count);

        // Folds the inserted rows (of the given shipments only, when named) into their states; queues those changed.
        void Fold(HashSet<Guid>? only)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                if (states[i] is { } state && (only is null || only.Contains(row.ShipmentId!.Value))
                    && state.Merge(row.Id, row.Status, row.Milestone, row.OccurredAt, row.Code) && !state.Queued)
                {
                    state.Queued = true;
                    changes.Add((row.ShipmentId!.Value, state));
                }
            }
        }
    }

    /// <summary>
    /// The notifications the transaction's new events call for, decided against the shipments' merged states: a buyer's
    /// milestone notification, skipped (superseded) when the shipment is already past it; a seller's alert for every
    /// exception. The store keeps each once (see <see cref="NotificationDecision"/>).
    /// </summary>
    private List<NotificationDecision> Decide(List<EventRow> rows, bool[] inserted, ShipmentState?[] states, DateTimeOffset now)
    {
        var decisions = _decisions;
        var decided = _decided;
        decisions.Clear();
        decided.Clear();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (!inserted[i] || states[i] is not { } state || row.ShipmentId is not { } shipment)
            {
                continue;
            }
            if (state.HasOrder && row.Milestone is { } milestone && NotificationKinds.ForMilestone(milestone) is { } kind)
            {
                var repeatable = NotificationKinds.IsRepeatable(kind);
                var occurrence = repeatable ? row.EventKey : 0;
                var bit = repeatable ? 0 : 1 << NotificationKinds.IndexOf(kind);
                if ((state.DecidedKinds & bit) == 0 && decided.Add((shipment, kind, occurrence)))
                {
                    state.DecidedKinds |= bit;
                    decisions.Add(NotificationDecision.Buyer(row.TenantId, shipment, kind, occurrence, row.Id, row.OccurredAt, state.Milestone, now));
                }
            }
            if (NotificationKinds.IsSellerException(row.Status, row.Milestone, row.ExceptionReason) && decided.Add((shipment, NotificationKinds.Exception, row.EventKey)))
            {
                decisions.Add(NotificationDecision.SellerException(row.TenantId, shipment, row.EventKey, row.Id, row.OccurredAt));
            }
        }
        return decisions;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;

        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }
}
