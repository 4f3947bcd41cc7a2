using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Tenancy;
using Waybill.Tracking;

namespace Waybill.Bench;

/// <summary>
/// Event ingest, the whole pipeline in process: JSON batches parsed, numbers matched, duplicates dropped, events
/// stored, shipment state merged. 10 events per shipment, 1,000-event batches, shuffled arrival, 2% duplicates.
/// Baseline: plain prepared inserts of the same rows into the same tables, indexes and transaction size.
/// Prints <c>events/s: N</c> and <c>ratio: R</c>. Targets on SQLite: 100,000 events/s and a ratio of 0.5. On SQLite a
/// last line gives, for reference, the same plain inserts with each transaction's rows in index order.
/// </summary>
internal static class IngestBench
{
    private const int BatchSize = 1000;

    /// <summary>Requests in flight at once, as many HTTP clients would send them.</summary>
    private const int Clients = 64;
    private static readonly string[] Codes = ["EMA", "EMB", "EXA", "EXC", "EMC", "EMD", "EDB", "EMF", "EMG", "EMI"];

    public static async Task RunAsync(string[] args)
    {
        var total = Option(args, "--events", 1_000_000);
        var database = args.SkipWhile(a => a != "--database").Skip(1).FirstOrDefault();
        var shipments = Math.Max(1, total / Codes.Length);
        var random = new Random(7);
        var inputs = new List<EventInput>(total + (total / 50));
        var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.FromHours(8));
        for (var s = 0; s < shipments; s++)
        {
            var number = S10(s);
            for (var e = 0; e < Codes.Length; e++)
            {
                var at = start.AddMinutes((s % 1440) + (e * 600));
                inputs.Add(new EventInput(number, "s10", Codes[e], $"{Codes[e]} scan", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                    new LocationInput(e < 5 ? "Shenzhen" : "Frankfurt", null, e < 5 ? "CN" : "DE")));
            }
        }
        var duplicates = inputs.Count / 50;
        for (var d = 0; d < duplicates; d++)
        {
            inputs.Add(inputs[random.Next(shipments * Codes.Length)]);
        }
        Shuffle(inputs, random);
        var batches = inputs.Chunk(BatchSize)
            .Select(b => JsonSerializer.SerializeToUtf8Bytes(new IngestEvents.Request(b), JsonSerializerOptions.Web))
            .ToList();
        Console.Error.WriteLine($"ingest: {inputs.Count:N0} events ({duplicates:N0} duplicates) on {shipments:N0} shipments, {batches.Count:N0} batches of {BatchSize}, {(database is null ? "SQLite" : "PostgreSQL")}");

        // Waybill: the full pipeline as the HTTP endpoint runs it, with requests in flight at once: each parses and
        // checks its batch and hands it to the process's one event writer, which commits what is waiting together.
        var (pipeline, transactionSize) = await PipelineAsync(database, "pipeline", shipments, batches, withOrders: false, decide: true);

        // Baseline: the same rows (already normalised, ids set) as plain inserts into the same tables and indexes,
        // as many per transaction as the writer committed on average, on a connection opened the same way.
        var baselineRate = await PlainInsertsAsync(database, shipments, inputs, transactionSize, inIndexOrder: false);

        // For reference only (not the ratio): the same plain inserts with each transaction's rows sorted as the
        // (leg key, event key) index, as the writer sorts them.
        double? sortedRate = database is null
            ? await PlainInsertsAsync(database, shipments, inputs, transactionSize, inIndexOrder: true)
            : null;

        var rate = (long)(inputs.Count / pipeline.TotalSeconds);
        Console.WriteLine($"events/s: {rate}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio: {rate / baselineRate:F3}"));
        var targets = database is null
            ? $" | targets on SQLite: events/s >= 100000 ({(rate >= 100_000 ? "met" : "MISSED")}), ratio >= 0.5 ({(rate / baselineRate >= 0.5 ? "met" : "MISSED")})"
            : " | no target on PostgreSQL yet (reported)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline plain inserts/s: {(long)baselineRate} ({(database is null ? "prepared INSERTs" : "binary COPY")}, {transactionSize} rows per transaction){targets}"));
        if (!args.Contains("--no-notifications"))
        {
            // The same pipeline on shipments whose orders have buyers, with the writer deciding notifications and
            // without, alternating; the ratio is the best of each (the machine's noise only ever slows a run).
            var on = TimeSpan.MaxValue;
            var off = TimeSpan.MaxValue;
            for (var round = 0; round < 2; round++)
            {
                off = Min(off, (await PipelineAsync(database, "orders-off", shipments, batches, withOrders: true, decide: false)).Elapsed);
                on = Min(on, (await PipelineAsync(database, "orders-on", shipments, batches, withOrders: true, decide: true)).Elapsed);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"notifications ratio: {off / on:F3}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"with buyers: {(long)(inputs.Count / on.TotalSeconds)} events/s deciding notifications, {(long)(inputs.Count / off.TotalSeconds)} without (best of 2 each) | target >= 0.8: {(off / on >= 0.8 ? "met" : "MISSED")}"));
        }
        if (sortedRate is { } sorted)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reference: the same inserts with each transaction's rows in index order: {(long)sorted} rows/s (events/s is {rate / sorted:F3} of it)"));
        }
    }

    /// <summary>
    /// The full pipeline on a fresh database: requests in flight at once, each parsing and checking its batch and
    /// handing it to the one event writer. With <paramref name="withOrders"/> each shipment has an order with a buyer,
    /// so the writer decides buyer notifications in its transactions (when <paramref name="decide"/>); no worker sends.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, int TransactionSize)> PipelineAsync(
        string? database, string name, int shipments, List<byte[]> batches, bool withOrders, bool decide)
    {
        var storage = await FreshStorageAsync(database, name);
        var tenant = await SetUpAsync(storage, shipments, withOrders);
        var writer = new EventWriter(storage, TimeProvider.System, decide);
        Settle();
        var watch = Stopwatch.StartNew();
        var stored = 0;
        var done = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            await using var db = storage.CreateDb();
            db.TenantId = tenant;
            var handler = new IngestEvents.Handler(db, writer);
            for (var i = Interlocked.Increment(ref next); i < batches.Count; i = Interlocked.Increment(ref next))
            {
                var request = JsonSerializer.Deserialize<IngestEvents.Request>(batches[i], JsonSerializerOptions.Web)!;
                var result = await handler.HandleAsync(request, CancellationToken.None);
                Interlocked.Add(ref stored, result.Value.Accepted);
                if (Interlocked.Increment(ref done) % 100 == 0)
                {
                    Console.Error.WriteLine($"  {name}: {done:N0}/{batches.Count:N0} batches, {stored / watch.Elapsed.TotalSeconds:N0} events/s");
                }
            }
        })));
        var elapsed = watch.Elapsed;
        var transactionSize = (int)(writer.EventsCommitted / writer.Commits);
        Console.Error.WriteLine($"  {name}: {writer.Commits:N0} transactions, {transactionSize:N0} events each on average");
        await writer.DisposeAsync();
        if (stored != shipments * Codes.Length)
        {
            throw new InvalidOperationException($"stored {stored} events, expected {shipments * Codes.Length}");
        }
        if (withOrders)
        {
            await using var db = storage.CreateDb();
            // Decided in the writer's transactions, into the outbox (the worker, paused here, moves them into the log).
            var decided = await db.NotificationOutbox.CountAsync() + await db.Notifications.IgnoreQueryFilters().CountAsync();
            Console.Error.WriteLine($"  {name}: {decided:N0} notifications decided");
            if (decide && decided < shipments)
            {
                throw new InvalidOperationException($"{decided} notifications decided for {shipments} shipments with buyers");
            }
        }
        await DropAsync(storage);
        return (elapsed, transactionSize);
    }

    /// <summary>Rows per second of plain prepared inserts (binary COPY on PostgreSQL) of the events' rows.</summary>
    private static async Task<double> PlainInsertsAsync(string? database, int shipments, List<EventInput> inputs, int transactionSize, bool inIndexOrder)
    {
        var storage = await FreshStorageAsync(database, inIndexOrder ? "sorted" : "baseline");
        var tenant = await SetUpAsync(storage, shipments);
        var legs = await LegsAsync(storage, tenant);
        var now = DateTimeOffset.UtcNow;
        var rows = inputs.Select(e => ToRow(tenant, e, legs, now)).DistinctBy(r => r.Key).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Id = i + 1;
        }
        TimeSpan elapsed;
        await using (var store = await EventStore.OpenAsync(storage, CancellationToken.None))
        {
            Settle();
            var watch = Stopwatch.StartNew();
            foreach (var chunk in rows.Chunk(transactionSize))
            {
                if (inIndexOrder)
                {
                    Array.Sort(chunk, (a, b) => TrackingKeys.IndexOrder(a.LegKey, a.EventKey).CompareTo(TrackingKeys.IndexOrder(b.LegKey, b.EventKey)));
                }
                await store.BeginAsync(CancellationToken.None);
                await store.InsertPlainAsync(chunk, CancellationToken.None);
                await store.CommitAsync(CancellationToken.None);
            }
            elapsed = watch.Elapsed;
        }
        await DropAsync(storage);
        return rows.Count / elapsed.TotalSeconds;
    }

    /// <summary>Each measurement starts on a collected heap: garbage left by the set-up is not collected on its time.</summary>
    private static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private static async Task<Storage> FreshStorageAsync(string? database, string name)
    {
        var directory = Path.Combine(Path.GetTempPath(), "waybill-bench", Guid.NewGuid().ToString("N"));
        string? connection = null;
        if (database is not null)
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(Storage.ToNpgsqlConnectionString(database));
            var dbName = $"waybill_bench_{name}_{Guid.NewGuid():N}";
            await using (var admin = new Npgsql.NpgsqlConnection(builder.ConnectionString))
            {
                await admin.OpenAsync();
                await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{dbName}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
            builder.Database = dbName;
            connection = builder.ConnectionString;
        }
        var storage = Storage.Resolve(directory, connection);
        await storage.MigrateAsync(CancellationToken.None);
        return storage;
    }

    /// <summary>Removes what the run created: the PostgreSQL database, or the SQLite directory.</summary>
    private static async Task DropAsync(Storage storage)
    {
        if (storage.Provider == DatabaseProvider.Postgres)
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(storage.ConnectionString);
            var name = builder.Database;
            builder.Database = "postgres";
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var admin = new Npgsql.NpgsqlConnection(builder.ConnectionString);
            await admin.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(storage.DataDirectory, recursive: true);
        }
    }

    /// <summary>A tenant and its shipments, one S10 leg each, written in bulk (set-up, not measured).</summary>
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static async Task<Guid> SetUpAsync(Storage storage, int shipments, bool withOrders = false)
    {
        await using var db = storage.CreateDb();
        var tenant = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new AddTenant.Request("bench"), CancellationToken.None)).Value.Id;
        var now = DateTimeOffset.UtcNow;
        var all = new List<Shipment>(shipments);
        var orders = new List<Waybill.Orders.Order>(withOrders ? shipments : 0);
        var errors = new ValidationErrors();
        var template = withOrders
            ? Waybill.Orders.ValidateOrder.Validate(new Waybill.Orders.OrderInput("B-0",
                new Waybill.Orders.BuyerInput("Anna Schmidt", "anna@example.com", null, "de-DE", "Europe/Berlin"),
                new Waybill.Orders.AddressInput("Anna Schmidt", "Hauptstr. 1", null, "Berlin", null, "10115", "DE"), "DAP", "EUR",
                [new Waybill.Orders.OrderLineInput("TS-1", "Cotton T-shirt", 2, 12.5m, "6109.10", "CN", 0.2m)]), errors)
                ?? throw new InvalidOperationException($"the bench's order is invalid: {errors}")
            : null;
        for (var s = 0; s < shipments; s++)
        {
            Guid? orderId = null;
            if (template is not null)
            {
                var order = Waybill.Orders.Order.Create(tenant, template with { Reference = $"B-{s}" }, now);
                orders.Add(order);
                orderId = order.Id;
            }
            var shipment = Shipment.Create(tenant, orderId, now);
            shipment.AddLeg(LegRole.FirstMile, "s10", S10(s), now);
            all.Add(shipment);
        }
        await using var tx = await db.Database.BeginTransactionAsync();
        await BulkWriter.InsertAsync(db, orders, null, CancellationToken.None);
        await BulkWriter.InsertAsync(db, orders.SelectMany(o => o.Lines), null, CancellationToken.None);
        await BulkWriter.InsertAsync(db, all, null, CancellationToken.None);
        await BulkWriter.InsertAsync(db, all.SelectMany(s => s.Legs), null, CancellationToken.None);
        await tx.CommitAsync();
        return tenant;
    }

    private static async Task<Dictionary<string, (Guid ShipmentId, Guid LegId)>> LegsAsync(Storage storage, Guid tenant)
    {
        await using var db = storage.CreateDb();
        db.TenantId = tenant;
        return await db.ShipmentLegs.AsNoTracking().ToDictionaryAsync(l => l.TrackingNumber, l => (l.ShipmentId, l.Id));
    }

    /// <summary>The row the ingest endpoint builds for the event, matched to its leg.</summary>
    private static EventRow ToRow(Guid tenant, EventInput e, Dictionary<string, (Guid ShipmentId, Guid LegId)> legs, DateTimeOffset now)
    {
        var row = IngestEvents.Validate(tenant, e, 0, now).Row!;
        (row.ShipmentId, row.LegId) = legs[row.TrackingNumber];
        return row;
    }

    private static string S10(int serial)
    {
        var digits = (serial % 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
        int[] weights = [8, 6, 4, 2, 3, 5, 9, 7];
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += (digits[i] - '0') * weights[i];
        }
        var check = 11 - (sum % 11);
        check = check == 10 ? 0 : check == 11 ? 5 : check;
        return $"RB{digits}{check}CN";
    }

    private static void Shuffle<T>(List<T> list, Random random)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static int Option(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);
}
