using System.Buffers;
using System.Data;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Waybill.Tracking;
using static Waybill.Persistence.SqliteWaybillDb;

namespace Waybill.Persistence;

/// <summary>One tracking event as the ingest writer stores it: normalised, matched or not.</summary>
internal sealed class EventRow
{
    public long Id { get; set; }

    public required Guid TenantId { get; init; }

    public required string Carrier { get; init; }

    public required string TrackingNumber { get; init; }

    public Guid? ShipmentId { get; set; }

    public Guid? LegId { get; set; }

    public required string Code { get; init; }

    public required string Description { get; init; }

    public TrackingStatus? Status { get; init; }

    public Milestone? Milestone { get; init; }

    public string? ExceptionReason { get; init; }

    public bool Unmapped { get; init; }

    /// <summary>UTC.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    public int OffsetMinutes { get; init; }

    public string? City { get; init; }

    public string? PostalCode { get; init; }

    public required string Country { get; init; }

    public required long LegKey { get; init; }

    public required long EventKey { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public UInt128 Key => TrackingKeys.Combine(LegKey, EventKey);
}

internal readonly record struct LegRow(string Carrier, string TrackingNumber, Guid ShipmentId, Guid LegId);

/// <summary>
/// The write path of event ingest, in plain SQL on one long-lived connection (no EF): the tracking events table,
/// leg lookups and shipment state. Only <see cref="Tracking.EventWriter"/> uses it, one transaction at a time.
/// Columns and storage formats are those of the EF model (<see cref="WaybillDb"/>), checked by the tests that read
/// the rows back through EF.
/// </summary>
internal abstract class EventStore : IAsyncDisposable
{
    protected static readonly string[] EventColumns =
    [
        "id", "tenant_id", "carrier", "tracking_number", "shipment_id", "leg_id", "code", "description", "status",
        "milestone", "exception_reason", "unmapped", "occurred_at", "offset_minutes", "city", "postal_code", "country",
        "leg_key", "event_key", "received_at",
    ];

    public static async Task<EventStore> OpenAsync(Storage storage, CancellationToken ct) => storage.Provider switch
    {
        DatabaseProvider.Sqlite => SqliteEventStore.Open(storage.ConnectionString),
        _ => await PostgresEventStore.OpenAsync(storage.ConnectionString, ct),
    };

    public abstract Task BeginAsync(CancellationToken ct);

    public abstract Task CommitAsync(CancellationToken ct);

    public abstract Task RollbackAsync();

    /// <summary>
    /// Makes leg registrations wait until this transaction commits, and waits for those under way, so that an event is
    /// either matched to a leg registered at the same time or attached by that registration.
    /// </summary>
    public abstract Task HoldLegRegistrationsAsync(CancellationToken ct);

    public abstract Task<List<LegRow>> FindLegsAsync(Guid tenantId, IReadOnlyCollection<string> numbers, CancellationToken ct);

    /// <summary>
    /// Inserts the rows, skipping those whose (leg key, event key) is stored already; sets <see cref="EventRow.Id"/> and
    /// <paramref name="inserted"/> for the rows stored.
    /// </summary>
    public abstract Task InsertAsync(IReadOnlyList<EventRow> rows, bool[] inserted, CancellationToken ct);

    /// <summary>The benchmark's baseline: plain inserts of rows with their ids set, without any conflict handling.</summary>
    public abstract Task InsertPlainAsync(IReadOnlyList<EventRow> rows, CancellationToken ct);

    public abstract Task<Dictionary<Guid, ShipmentState>> LoadShipmentsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct);

    /// <summary>
    /// Writes the states whose stored version still equals <see cref="ShipmentState.Version"/>, incrementing it;
    /// answers the ids whose row changed since it was read (to be read again and merged again).
    /// </summary>
    public abstract Task<List<Guid>> UpdateShipmentsAsync(IReadOnlyList<(Guid Id, ShipmentState State)> changes, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Appends the notifications decided in the transaction to the outbox (a buyer's only for a shipment with an order).
    /// A decision made before (same shipment, kind, channel and occurrence) is appended again; the move into the log
    /// (<see cref="NotificationOutbox.MoveAsync"/>) keeps the first.
    /// </summary>
    public abstract Task InsertNotificationsAsync(IReadOnlyList<NotificationDecision> decisions, DateTimeOffset now, CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}

/// <summary>SQLite: prepared single-row statements on one connection, inside BEGIN IMMEDIATE transactions.</summary>
internal sealed class SqliteEventStore : EventStore
{
    /// <summary>The SET list of the state updates (parameters ?3 to ?7).</summary>
    private const string StateUpdate = "last_event_id = ?3, last_event_at = ?4, last_event_rank = ?5, last_event_code = ?6, updated_at = ?7, version = version + 1";
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _insert;
    private readonly SqliteStatement _insertPlain;
    private readonly SqliteStatement[] _updates;
    private readonly SqliteStatement _findLegs;
    private readonly SqliteStatement _loadStates;
    private readonly SqliteStatement _insertNotification;
    private readonly ArrayBufferWriter<byte> _json = new();
    private SqliteTransaction? _transaction;

    private SqliteEventStore(SqliteConnection connection)
    {
        _connection = connection;
        var columns = string.Join(", ", EventColumns);
        var values = string.Join(", ", EventColumns.Select((_, i) => $"?{i + 1}"));
        _insert = new SqliteStatement(connection, $"INSERT INTO tracking_events ({columns}) VALUES ({values}) ON CONFLICT (leg_key, event_key) DO NOTHING");
        _insertPlain = new SqliteStatement(connection, $"INSERT INTO tracking_events ({columns}) VALUES ({values})");
        // Found by rowid. Status and milestone are each set only when they change: each has its own index, which SQLite
        // rewrites whenever the column is set, to the same value or not. Indexed by (status changed, milestone changed).
        _updates =
        [
            new SqliteStatement(connection, $"UPDATE shipments SET {StateUpdate} WHERE rowid = ?8 AND id = ?10 AND version = ?9"),
            new SqliteStatement(connection, $"UPDATE shipments SET milestone = ?2, {StateUpdate} WHERE rowid = ?8 AND id = ?10 AND version = ?9"),
            new SqliteStatement(connection, $"UPDATE shipments SET status = ?1, {StateUpdate} WHERE rowid = ?8 AND id = ?10 AND version = ?9"),
            new SqliteStatement(connection, $"UPDATE shipments SET status = ?1, milestone = ?2, {StateUpdate} WHERE rowid = ?8 AND id = ?10 AND version = ?9"),
        ];
        // Lookups of many keys at once: one prepared statement over a JSON array (json_each), each key found by index
        // (CROSS JOIN keeps the array the outer loop); no SQL text to build, parse and plan for every batch.
        _findLegs = new SqliteStatement(connection,
            "SELECT l.tracking_number, l.carrier, l.shipment_id, l.id FROM json_each(?2) AS j " +
            "CROSS JOIN shipment_legs AS l WHERE l.tenant_id = ?1 AND l.tracking_number = j.value");
        _loadStates = new SqliteStatement(connection,
            "SELECT s.id, s.status, s.milestone, s.last_event_id, s.last_event_at, s.last_event_rank, s.last_event_code, s.version, s.rowid, s.order_id IS NOT NULL " +
            "FROM json_each(?1) AS j CROSS JOIN shipments AS s WHERE s.id = j.value");
        _insertNotification = new SqliteStatement(connection, NotificationDecision.SqliteInsert);
    }

    public static SqliteEventStore Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            // The writer's working set (the events' key index, shipments, legs) stays in memory: up to 256 MB, taken as
            // pages are read (about 8% faster than 64 MB at a million events).
            // Checkpoints every 8,192 pages (128 MB of WAL) rather than 1,000: a page the next transactions write
            // again is copied into the database once, not after every commit.
            pragma.CommandText = "PRAGMA cache_size = -262144; PRAGMA wal_autocheckpoint = 8192;";
            pragma.ExecuteNonQuery();
        }
        return new SqliteEventStore(connection);
    }

    public override Task BeginAsync(CancellationToken ct)
    {
        // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is held from here, so lookups below see every
        // leg registered before and none can be registered until commit.
        _transaction = _connection.BeginTransaction();
        return Task.CompletedTask;
    }

    public override Task CommitAsync(CancellationToken ct)
    {
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = null;
        return Task.CompletedTask;
    }

    public override Task RollbackAsync()
    {
        if (_transaction is not null)
        {
            try
            {
                _transaction.Rollback();
            }
            finally
            {
                _transaction.Dispose();
                _transaction = null;
            }
        }
        return Task.CompletedTask;
    }

    public override Task HoldLegRegistrationsAsync(CancellationToken ct) => Task.CompletedTask;

    public override Task<List<LegRow>> FindLegsAsync(Guid tenantId, IReadOnlyCollection<string> numbers, CancellationToken ct)
    {
        var found = new List<LegRow>();
        var q = _findLegs;
        q.Bind(1, tenantId);
        q.BindUtf8(2, JsonArray(numbers, static (json, number) => json.WriteStringValue(number)));
        try
        {
            while (q.Read())
            {
                found.Add(new LegRow(q.GetString(1)!, q.GetString(0)!, q.GetGuid(2), q.GetGuid(3)));
            }
        }
        finally
        {
            q.Reset();
        }
        return Task.FromResult(found);
    }

    /// <summary>The values as a JSON array, for <c>json_each</c>: one statement looks them all up.</summary>
    private ReadOnlySpan<byte> JsonArray<T>(IEnumerable<T> values, Action<Utf8JsonWriter, T> write)
    {
        _json.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_json))
        {
            json.WriteStartArray();
            foreach (var value in values)
            {
                write(json, value);
            }
            json.WriteEndArray();
        }
        return _json.WrittenSpan;
    }

    public override Task InsertAsync(IReadOnlyList<EventRow> rows, bool[] inserted, CancellationToken ct)
    {
        using (var max = _connection.CreateCommand())
        {
            max.Transaction = _transaction;
            max.CommandText = "SELECT coalesce(max(id), 0) FROM tracking_events";
            var next = (long)max.ExecuteScalar()! + 1;
            for (var i = 0; i < rows.Count; i++)
            {
                rows[i].Id = next;
                Bind(_insert, rows[i]);
                if (_insert.Execute() == 1)
                {
                    inserted[i] = true;
                    next++;
                }
            }
        }
        return Task.CompletedTask;
    }

    public override Task InsertPlainAsync(IReadOnlyList<EventRow> rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            Bind(_insertPlain, row);
            _insertPlain.Execute();
        }
        return Task.CompletedTask;
    }

    private static void Bind(SqliteStatement s, EventRow row)
    {
        s.Bind(1, row.Id);
        s.Bind(2, row.TenantId);
        s.Bind(3, row.Carrier);
        s.Bind(4, row.TrackingNumber);
        s.Bind(5, row.ShipmentId);
        s.Bind(6, row.LegId);
        s.Bind(7, row.Code);
        s.Bind(8, row.Description);
        s.Bind(9, (long?)row.Status);
        s.Bind(10, (long?)row.Milestone);
        s.Bind(11, row.ExceptionReason);
        s.Bind(12, row.Unmapped ? 1 : 0);
        s.Bind(13, UnixMicrosecondsConverter.ToMicroseconds(row.OccurredAt));
        s.Bind(14, row.OffsetMinutes);
        s.Bind(15, row.City);
        s.Bind(16, row.PostalCode);
        s.Bind(17, row.Country);
        s.Bind(18, row.LegKey);
        s.Bind(19, row.EventKey);
        s.Bind(20, UnixMicrosecondsConverter.ToMicroseconds(row.ReceivedAt));
    }

    public override Task InsertNotificationsAsync(IReadOnlyList<NotificationDecision> decisions, DateTimeOffset now, CancellationToken ct)
    {
        var at = UnixMicrosecondsConverter.ToMicroseconds(now);
        foreach (var d in decisions)
        {
            var s = _insertNotification;
            s.Bind(1, Guid.CreateVersion7(now));
            s.Bind(2, d.TenantId);
            s.Bind(3, d.ShipmentId);
            s.Bind(4, d.Audience);
            s.Bind(5, d.Kind);
            s.Bind(6, d.Channel);
            s.Bind(7, d.Occurrence);
            s.Bind(8, d.Status);
            s.Bind(9, d.CauseEventId);
            s.Bind(10, d.EventAt is { } e ? UnixMicrosecondsConverter.ToMicroseconds(e) : null);
            s.Bind(11, d.Reason);
            s.Bind(12, at);
            s.Execute();
        }
        return Task.CompletedTask;
    }

    public override Task<Dictionary<Guid, ShipmentState>> LoadShipmentsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var states = new Dictionary<Guid, ShipmentState>(ids.Count);
        var q = _loadStates;
        q.BindUtf8(1, JsonArray(ids, static (json, id) => json.WriteStringValue(GuidText(id))));
        try
        {
            while (q.Read())
            {
                states[q.GetGuid(0)] = new ShipmentState(
                    (TrackingStatus)q.GetInt64(1),
                    q.GetInt64OrNull(2) is { } m ? (Milestone)m : null,
                    q.GetInt64OrNull(3),
                    q.GetInt64OrNull(4) is { } at ? UnixMicrosecondsConverter.FromMicroseconds(at) : null,
                    (int)q.GetInt64(5),
                    q.GetString(6),
                    (int)q.GetInt64(7))
                {
                    RowId = q.GetInt64(8),
                    HasOrder = q.GetInt64(9) != 0,
                };
            }
        }
        finally
        {
            q.Reset();
        }
        return Task.FromResult(states);
    }

    public override Task<List<Guid>> UpdateShipmentsAsync(IReadOnlyList<(Guid Id, ShipmentState State)> changes, DateTimeOffset now, CancellationToken ct)
    {
        var stale = new List<Guid>();
        var updatedAt = UnixMicrosecondsConverter.ToMicroseconds(now);
        foreach (var (id, state) in changes)
        {
            var s = _updates[(state.StatusChanged ? 2 : 0) + (state.MilestoneChanged ? 1 : 0)];
            if (state.StatusChanged)
            {
                s.Bind(1, (long)state.Status);
            }
            if (state.MilestoneChanged)
            {
                s.Bind(2, (long?)state.Milestone);
            }
            s.Bind(3, state.LastEventId);
            s.Bind(4, state.LastEventAt is { } at ? UnixMicrosecondsConverter.ToMicroseconds(at) : null);
            s.Bind(5, state.LastEventRank);
            s.Bind(6, state.LastEventCode);
            s.Bind(7, updatedAt);
            s.Bind(8, state.RowId);
            s.Bind(9, state.Version);
            s.Bind(10, id); // a rowid is not forever (VACUUM may renumber): the id must match too
            if (s.Execute() == 0)
            {
                stale.Add(id);
            }
        }
        return Task.FromResult(stale);
    }

    public override ValueTask DisposeAsync()
    {
        _transaction?.Dispose();
        _insert.Dispose();
        _insertPlain.Dispose();
        foreach (var update in _updates)
        {
            update.Dispose();
        }
        _findLegs.Dispose();
        _loadStates.Dispose();
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// PostgreSQL: events go in by binary COPY into a temporary staging table, then one INSERT ... SELECT ... ON CONFLICT
/// DO NOTHING RETURNING; shipment states are written by one UPDATE over arrays.
/// </summary>
internal sealed class PostgresEventStore : EventStore
{
    private const string StageColumns =
        "tenant_id, carrier, tracking_number, shipment_id, leg_id, code, description, status, milestone, exception_reason, " +
        "unmapped, occurred_at, offset_minutes, city, postal_code, country, leg_key, event_key, received_at";

    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private const string StateColumns = "id, status, milestone, last_event_id, last_event_at, last_event_rank, last_event_code, version, order_id IS NOT NULL";

    private PostgresEventStore(NpgsqlConnection connection) => _connection = connection;

    public static async Task<PostgresEventStore> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var stage = new NpgsqlCommand(
            "CREATE TEMPORARY TABLE IF NOT EXISTS ingest_stage (ord integer NOT NULL, " +
            "LIKE tracking_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS", connection);
        await stage.ExecuteNonQueryAsync(ct);
        await using var nullable = new NpgsqlCommand("ALTER TABLE ingest_stage ALTER COLUMN id DROP NOT NULL", connection);
        await nullable.ExecuteNonQueryAsync(ct);
        return new PostgresEventStore(connection);
    }

    public override async Task BeginAsync(CancellationToken ct) => _transaction = await _connection.BeginTransactionAsync(ct);

    public override async Task CommitAsync(CancellationToken ct)
    {
        await _transaction!.CommitAsync(ct);
        await _transaction.DisposeAsync();
        _transaction = null;
    }

    public override async Task RollbackAsync()
    {
        if (_transaction is not null)
        {
            try
            {
                await _transaction.RollbackAsync();
            }
            finally
            {
                await _transaction.DisposeAsync();
                _transaction = null;
            }
        }
    }

    // SHARE conflicts with the ROW EXCLUSIVE lock a leg registration takes first (see PostgresWaybillDb).
    public override async Task HoldLegRegistrationsAsync(CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("LOCK TABLE shipment_legs IN SHARE MODE", _connection, _transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    public override async Task<List<LegRow>> FindLegsAsync(Guid tenantId, IReadOnlyCollection<string> numbers, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand(
            "SELECT carrier, tracking_number, shipment_id, id FROM shipment_legs WHERE tenant_id = @t AND tracking_number = ANY(@n)",
            _connection, _transaction);
        query.Parameters.AddWithValue("t", tenantId);
        query.Parameters.AddWithValue("n", numbers.ToArray());
        await using var reader = await query.ExecuteReaderAsync(ct);
        var found = new List<LegRow>();
        while (await reader.ReadAsync(ct))
        {
            found.Add(new LegRow(reader.GetString(0), reader.GetString(1), reader.GetGuid(2), reader.GetGuid(3)));
        }
        return found;
    }

    public override async Task InsertAsync(IReadOnlyList<EventRow> rows, bool[] inserted, CancellationToken ct)
    {
        await CopyAsync($"COPY ingest_stage (ord, {StageColumns}) FROM STDIN (FORMAT BINARY)", rows, withId: false, ct);
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO tracking_events (id, {StageColumns}) SELECT nextval('tracking_event_ids'), {StageColumns} FROM ingest_stage ORDER BY ord " +
            "ON CONFLICT (leg_key, event_key) DO NOTHING RETURNING id, leg_key, event_key",
            _connection, _transaction);
        var byKey = new Dictionary<UInt128, int>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            byKey[rows[i].Key] = i;
        }
        await using var reader = await insert.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var index = byKey[TrackingKeys.Combine(reader.GetInt64(1), reader.GetInt64(2))];
            rows[index].Id = reader.GetInt64(0);
            inserted[index] = true;
        }
    }

    public override Task InsertPlainAsync(IReadOnlyList<EventRow> rows, CancellationToken ct) =>
        CopyAsync($"COPY tracking_events ({string.Join(", ", EventColumns)}) FROM STDIN (FORMAT BINARY)", rows, withId: true, ct);

    private async Task CopyAsync(string copy, IReadOnlyList<EventRow> rows, bool withId, CancellationToken ct)
    {
        await using var importer = await _connection.BeginBinaryImportAsync(copy, ct);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            await importer.StartRowAsync(ct);
            if (withId)
            {
                await importer.WriteAsync(row.Id, NpgsqlDbType.Bigint, ct);
            }
            else
            {
                await importer.WriteAsync(i, NpgsqlDbType.Integer, ct);
            }
            await importer.WriteAsync(row.TenantId, NpgsqlDbType.Uuid, ct);
            await importer.WriteAsync(row.Carrier, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(row.TrackingNumber, NpgsqlDbType.Varchar, ct);
            await WriteNullableAsync(importer, row.ShipmentId, NpgsqlDbType.Uuid, ct);
            await WriteNullableAsync(importer, row.LegId, NpgsqlDbType.Uuid, ct);
            await importer.WriteAsync(row.Code, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(row.Description, NpgsqlDbType.Varchar, ct);
            await WriteNullableAsync<int>(importer, row.Status is { } s ? (int)s : null, NpgsqlDbType.Integer, ct);
            await WriteNullableAsync<int>(importer, row.Milestone is { } m ? (int)m : null, NpgsqlDbType.Integer, ct);
            await WriteTextAsync(importer, row.ExceptionReason, ct);
            await importer.WriteAsync(row.Unmapped, NpgsqlDbType.Boolean, ct);
            await importer.WriteAsync(row.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(row.OffsetMinutes, NpgsqlDbType.Integer, ct);
            await WriteTextAsync(importer, row.City, ct);
            await WriteTextAsync(importer, row.PostalCode, ct);
            await importer.WriteAsync(row.Country, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(row.LegKey, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(row.EventKey, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(row.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
        }
        await importer.CompleteAsync(ct);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct
    {
        if (value is { } v)
        {
            await importer.WriteAsync(v, type, ct);
        }
        else
        {
            await importer.WriteNullAsync(ct);
        }
    }

    private static async Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken ct)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(ct);
        }
        else
        {
            await importer.WriteAsync(value, NpgsqlDbType.Varchar, ct);
        }
    }

    public override async Task<Dictionary<Guid, ShipmentState>> LoadShipmentsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand($"SELECT {StateColumns} FROM shipments WHERE id = ANY(@ids)", _connection, _transaction);
        query.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await query.ExecuteReaderAsync(ct);
        var states = new Dictionary<Guid, ShipmentState>(ids.Count);
        while (await reader.ReadAsync(ct))
        {
            states[reader.GetGuid(0)] = new ShipmentState(
                (TrackingStatus)reader.GetInt32(1),
                reader.IsDBNull(2) ? null : (Milestone)reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetInt32(7))
            {
                HasOrder = reader.GetBoolean(8),
            };
        }
        return states;
    }

    public override async Task<List<Guid>> UpdateShipmentsAsync(IReadOnlyList<(Guid Id, ShipmentState State)> changes, DateTimeOffset now, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return [];
        }
        await using var update = new NpgsqlCommand(
            "UPDATE shipments AS s SET status = u.status, milestone = u.milestone, last_event_id = u.event_id, " +
            "last_event_at = u.event_at, last_event_rank = u.rank, last_event_code = u.code, updated_at = @now, version = s.version + 1 " +
            "FROM unnest(@ids, @versions, @statuses, @milestones, @events, @ats, @ranks, @codes) " +
            "AS u(id, version, status, milestone, event_id, event_at, rank, code) " +
            "WHERE s.id = u.id AND s.version = u.version RETURNING s.id",
            _connection, _transaction);
        update.Parameters.AddWithValue("now", now.ToUniversalTime());
        update.Parameters.AddWithValue("ids", changes.Select(c => c.Id).ToArray());
        update.Parameters.AddWithValue("versions", changes.Select(c => c.State.Version).ToArray());
        update.Parameters.AddWithValue("statuses", changes.Select(c => (int)c.State.Status).ToArray());
        update.Parameters.AddWithValue("milestones", changes.Select(c => c.State.Milestone is { } m ? (int?)m : null).ToArray());
        update.Parameters.AddWithValue("events", changes.Select(c => c.State.LastEventId).ToArray());
        update.Parameters.AddWithValue("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, changes.Select(c => c.State.LastEventAt?.ToUniversalTime()).ToArray());
        update.Parameters.AddWithValue("ranks", changes.Select(c => c.State.LastEventRank).ToArray());
        update.Parameters.AddWithValue("codes", NpgsqlDbType.Array | NpgsqlDbType.Text, changes.Select(c => c.State.LastEventCode).ToArray());
        var written = new HashSet<Guid>();
        await using (var reader = await update.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                written.Add(reader.GetGuid(0));
            }
        }
        return changes.Select(c => c.Id).Where(id => !written.Contains(id)).ToList();
    }

    public override async Task InsertNotificationsAsync(IReadOnlyList<NotificationDecision> decisions, DateTimeOffset now, CancellationToken ct)
    {
        if (decisions.Count == 0)
        {
            return;
        }
        await using var insert = new NpgsqlCommand(NotificationDecision.PostgresInsert, _connection, _transaction);
        insert.Parameters.AddWithValue("now", now.ToUniversalTime());
        insert.Parameters.AddWithValue("ids", decisions.Select(_ => Guid.CreateVersion7(now)).ToArray());
        insert.Parameters.AddWithValue("tenants", decisions.Select(d => d.TenantId).ToArray());
        insert.Parameters.AddWithValue("shipments", decisions.Select(d => d.ShipmentId).ToArray());
        insert.Parameters.AddWithValue("audiences", decisions.Select(d => d.Audience).ToArray());
        insert.Parameters.AddWithValue("kinds", decisions.Select(d => d.Kind).ToArray());
        insert.Parameters.AddWithValue("channels", decisions.Select(d => d.Channel).ToArray());
        insert.Parameters.AddWithValue("occurrences", decisions.Select(d => d.Occurrence).ToArray());
        insert.Parameters.AddWithValue("statuses", decisions.Select(d => d.Status).ToArray());
        insert.Parameters.AddWithValue("causes", NpgsqlDbType.Array | NpgsqlDbType.Bigint, decisions.Select(d => d.CauseEventId).ToArray());
        insert.Parameters.AddWithValue("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, decisions.Select(d => d.EventAt?.ToUniversalTime()).ToArray());
        insert.Parameters.AddWithValue("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text, decisions.Select(d => d.Reason).ToArray());
        await insert.ExecuteNonQueryAsync(ct);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }
        await _connection.DisposeAsync();
    }
}
