using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Tracking;

/// <summary>
/// The shipments list as the dashboard and <c>GET /v1/shipments</c> query it: search by number, reference or buyer,
/// the lane and exception filters, the oldest-scan order of the exceptions queue, paging.
/// </summary>
public abstract class ShipmentListTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTimeOffset Now => _clock.GetUtcNow();

    private static EventInput Event(string number, string code, DateTimeOffset at, string country = "DE", string carrier = "sbx-express") =>
        new(number, carrier, code, $"{code} scan", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), new LocationInput("Somewhere", null, country));

    private async Task<Guid> WarehouseAsync(WaybillDb db, string code, string country, string postalCode)
    {
        var input = Build.Warehouse(code) with { Address = new AddressInput("Acme", "1 Dock Road", null, "Port", null, postalCode, country) };
        var added = await new AddWarehouse.Handler(db, _clock).HandleAsync(input, Ct);
        Assert.True(added.IsSuccess, added.Error?.Message + string.Join("; ", added.Error?.Errors?.SelectMany(e => e.Value) ?? []));
        return added.Value.Id;
    }

    /// <summary>An order (when a reference is given) and its shipment on one leg of <paramref name="carrier"/>.</summary>
    private async Task<ShipmentView> ShipAsync(
        WaybillDb db, string number, string? reference = null, string buyer = "Anna Schmidt", string email = "anna@example.com",
        string country = "DE", Guid? warehouse = null, string carrier = "sbx-express")
    {
        string? orderId = null;
        if (reference is not null)
        {
            var input = Build.Order(reference, country) with { Buyer = new BuyerInput(buyer, email), WarehouseId = warehouse };
            var order = await new CreateOrder.Handler(db, _clock).HandleAsync(input, Ct);
            Assert.True(order.IsSuccess, order.Error?.Message);
            orderId = order.Value.Id.ToString();
        }
        var registered = await new RegisterShipment.Handler(db, _clock).HandleAsync(new RegisterShipment.Request(orderId, [new LegInput(carrier, number, null)]), Ct);
        Assert.True(registered.IsSuccess, registered.Error?.Message);
        _clock.Advance(TimeSpan.FromSeconds(1)); // newest first is by creation time: one second apart
        return registered.Value;
    }

    private async Task IngestAsync(WaybillDb db, params EventInput[] events)
    {
        var result = await new IngestEvents.Handler(db, database.Events).HandleAsync(new IngestEvents.Request(events), Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Empty(result.Value.Rejected);
    }

    private async Task<PageOf<ShipmentView>> ListAsync(WaybillDb db, ListShipments.Request request)
    {
        var result = await new ListShipments.Handler(db, DeliveryForecasts.Default, _clock).HandleAsync(request, Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    private static ListShipments.Request Query(
        string? search = null, string? origin = null, string? destination = null, string? exception = null, string? sort = null, int? page = null, int? pageSize = null) =>
        new(null, null, null, page, pageSize, search, origin, destination, exception, sort);

    [Fact]
    public async Task Search_finds_a_shipment_by_its_tracking_number_order_reference_buyer_name_or_email_case_aside()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var anna = await ShipAsync(db, "SBXA0001", "SO-1001", "Anna Schmidt", "anna@example.com");
        var jean = await ShipAsync(db, "SBXA0002", "SO-2002", "Jean Dupont", "Jean.Dupont@Example.FR", "FR");
        var orderless = await ShipAsync(db, "SBXA0003");
        var percent = await ShipAsync(db, "SBXA0004", "100%_OFF", "Zoë Weiß", "zoe@example.com");

        async Task<Guid[]> Find(string text) => [.. (await ListAsync(db, Query(search: text))).Items.Select(s => s.Id)];

        Assert.Equal([orderless.Id], await Find(" sbxa 0003 "));
        Assert.Equal([jean.Id], await Find("so-2002"));
        Assert.Equal([jean.Id, anna.Id], await Find("SO-")); // newest first
        Assert.Equal([anna.Id], await Find("SCHMIDT"));
        Assert.Equal([jean.Id], await Find("dupont@example.fr"));
        Assert.Equal([percent.Id], await Find("Weiß"));
        // LIKE's wildcards match themselves: "%" and "_" are not "anything".
        Assert.Equal([percent.Id], await Find("%"));
        Assert.Equal([percent.Id], await Find("0%_o"));
        Assert.Empty(await Find("nobody"));

        var row = (await ListAsync(db, Query(search: "SO-1001"))).Items.Single();
        Assert.Equal(new ShipmentOrderView("SO-1001", "Anna Schmidt"), row.Order);
        Assert.Equal(new LaneView(null, "DE"), row.Lane); // no warehouse named, no scan yet: the destination only
    }

    [Fact]
    public async Task The_lane_filter_goes_by_the_orders_warehouse_and_ship_to_country()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var shenzhen = await WarehouseAsync(db, "SZX-1", "CN", "518057");
        var leipzig = await WarehouseAsync(db, "LEJ-1", "DE", "04435");
        var cnDe = await ShipAsync(db, "SBXL0001", "L-1", country: "DE", warehouse: shenzhen);
        var cnFr = await ShipAsync(db, "SBXL0002", "L-2", country: "FR", warehouse: shenzhen);
        var deFr = await ShipAsync(db, "SBXL0003", "L-3", country: "FR", warehouse: leipzig);
        var orderless = await ShipAsync(db, "SBXL0004");
        // The orderless parcel's scans tell its lane (from its first scan's country), shown but not filtered by.
        await IngestAsync(db, Event("SBXL0004", "PU", Now.AddHours(-30), "CN"), Event("SBXL0004", "ARR", Now.AddHours(-5), "DE"));

        async Task<Guid[]> Lane(string? from, string? to) => [.. (await ListAsync(db, Query(origin: from, destination: to))).Items.Select(s => s.Id)];

        Assert.Equal([cnFr.Id, cnDe.Id], await Lane("CN", null));
        Assert.Equal([deFr.Id, cnFr.Id], await Lane(null, "fr"));
        Assert.Equal([cnFr.Id], await Lane("cn", "FR"));
        Assert.Empty(await Lane("US", null));

        var all = (await ListAsync(db, Query())).Items.ToDictionary(s => s.Id, s => s.Lane);
        Assert.Equal(new LaneView("CN", "DE"), all[cnDe.Id]);
        Assert.Equal(new LaneView("DE", "FR"), all[deFr.Id]);
        Assert.Equal(new LaneView("CN", "DE"), all[orderless.Id]);
        Assert.Equal([new LaneView("CN", "DE"), new LaneView("CN", "FR"), new LaneView("DE", "FR")], await db.LanesAsync(Ct));
    }

    [Fact]
    public async Task The_exception_filter_finds_what_is_wrong_now_and_the_queue_lists_the_oldest_scan_first()
    {
        var (db, tenant, _) = await database.NewTenantAsync();
        await using var _db = db;
        var now = Now;
        async Task<Guid> Parcel(string number, params (string Code, double HoursAgo)[] scans)
        {
            var carrier = number.StartsWith("RB", StringComparison.Ordinal) ? "s10" : "sbx-express";
            var shipment = await ShipAsync(db, number, $"X-{number}", carrier: carrier);
            await IngestAsync(db, [.. scans.Select(s => Event(number, s.Code, now.AddHours(-s.HoursAgo), carrier: carrier))]);
            return shipment.Id;
        }
        // Every scan within the last 4 days (the stall threshold of a lane without history) but the stalled parcel's.
        var held = await Parcel("SBXE0001", ("PU", 90), ("IMP", 80), ("HOLD", 70));
        var exportHeld = await Parcel(Build.S10(10000001), ("EMA", 60), ("EXB", 50)); // s10's export hold: a reason, no hold milestone
        var attempted = await Parcel("SBXE0003", ("PU", 80), ("OFD", 40), ("ATT", 30));
        var lost = await Parcel("SBXE0004", ("PU", 70), ("LOST", 20));
        var damaged = await Parcel("SBXE0005", ("PU", 60), ("DMG", 10));
        var refused = await Parcel("SBXE0006", ("PU", 60), ("OFD", 9), ("REF", 8));
        var returned = await Parcel("SBXE0007", ("PU", 90), ("RTS", 48), ("DLV", 24)); // delivered back to the sender: stays
        var stalled = await Parcel("SBXE0008", ("PU", 100)); // no scan for 100 h
        // Not in the queue: delivered, cleared after a hold, returned too long ago, held past the horizon, damaged then moving on.
        var delivered = await Parcel("SBXE0009", ("PU", 90), ("DLV", 20));
        var cleared = await Parcel("SBXE0010", ("PU", 90), ("HOLD", 50), ("CLR", 40));
        var returnedLongAgo = await Parcel("SBXE0011", ("PU", 24 * 45), ("RTS", 24 * 40));
        var heldLongAgo = await Parcel("SBXE0012", ("PU", 24 * 75), ("HOLD", 24 * 70));
        var movedOn = await Parcel("SBXE0013", ("PU", 60), ("DMG", 50), ("ARR", 40));
        Assert.True((await new ForecastSweep(database.Storage, _clock, DeliveryForecasts.Default).RunForTenantAsync(tenant, Ct)).Stalled >= 1);

        var queue = await ListAsync(db, Query(exception: "any", sort: "oldest_scan"));
        Assert.Equal([stalled, held, exportHeld, attempted, returned, lost, damaged, refused], queue.Items.Select(s => s.Id));
        Assert.Equal(8, queue.Total);
        var kinds = queue.Items.ToDictionary(s => s.Id, s => s.Exceptions!.Select(e => e.Kind).ToArray());
        Assert.Equal(["stalled"], kinds[stalled]);
        Assert.Equal(["customs_held"], kinds[held]);
        Assert.Equal(["customs_held"], kinds[exportHeld]);
        Assert.Equal(["failed_attempt"], kinds[attempted]);
        Assert.Equal(["lost"], kinds[lost]);
        Assert.Equal(["damaged"], kinds[damaged]);
        Assert.Equal(["other"], kinds[refused]);
        Assert.Equal(["returned"], kinds[returned]);
        // Since when: the hold's and the return's first scan; the last scan for a stalled parcel.
        var since = queue.Items.ToDictionary(s => s.Id, s => s.Exceptions![0].Since);
        Assert.Equal(now.AddHours(-70), since[held]);
        Assert.Equal(now.AddHours(-48), since[returned]);
        Assert.Equal(now.AddHours(-100), since[stalled]);

        foreach (var (kind, expected) in new (string, Guid[])[]
        {
            ("customs_held", [held, exportHeld]), ("stalled", [stalled]), ("failed_attempt", [attempted]), ("lost", [lost]),
            ("damaged", [damaged]), ("returned", [returned]), ("other", [refused]),
        })
        {
            var page = await ListAsync(db, Query(exception: kind, sort: "oldest_scan"));
            Assert.True(expected.SequenceEqual(page.Items.Select(s => s.Id)), $"{kind}: {string.Join(", ", page.Items.Select(s => s.Legs[0].TrackingNumber))}");
        }
        // The rest have none, in the list as on their own.
        var all = (await ListAsync(db, Query(pageSize: 100))).Items.ToDictionary(s => s.Id);
        foreach (var id in new[] { delivered, cleared, returnedLongAgo, heldLongAgo, movedOn })
        {
            Assert.Empty(all[id].Exceptions!);
        }
        var one = await new GetShipment.Handler(db, DeliveryForecasts.Default, _clock).HandleAsync(held, Ct);
        Assert.Equal(["customs_held"], one.Value.Exceptions!.Select(e => e.Kind));
        // A scan after the stall alert: no longer stalled.
        await IngestAsync(db, Event("SBXE0008", "HUB", now.AddHours(-1)));
        Assert.Empty((await ListAsync(db, Query(exception: "stalled"))).Items);
    }

    [Fact]
    public async Task Pages_split_the_list_newest_first_and_the_total_counts_every_match()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await ShipAsync(db, $"SBXP{i:D4}", $"P-{i}")).Id);
        }
        created.Reverse();

        var pages = new List<PageOf<ShipmentView>>();
        for (var p = 1; p <= 3; p++)
        {
            pages.Add(await ListAsync(db, Query(search: "P-", page: p, pageSize: 3)));
        }

        Assert.All(pages, p => Assert.Equal(7, p.Total));
        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(created, pages.SelectMany(p => p.Items.Select(s => s.Id)));
        Assert.Empty((await ListAsync(db, Query(search: "P-", page: 4, pageSize: 3))).Items);
    }

    [Fact]
    public async Task Bad_filters_are_reported_together_by_field()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await new ListShipments.Handler(db).HandleAsync(
            Query(search: new string('x', ListShipments.MaxSearchLength + 1), origin: "XX", destination: "Germany", exception: "broken", sort: "random"), Ct);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.Validation, result.Error!.Kind);
        Assert.Equal(["destination", "exception", "origin", "search", "sort"], result.Error.Errors!.Keys.Order(StringComparer.Ordinal));
    }
}

public sealed class ShipmentListTestsOnSqlite(SqliteDatabase database) : ShipmentListTests<SqliteDatabase>(database);

public sealed class ShipmentListTestsOnPostgres(PostgresDatabase database) : ShipmentListTests<PostgresDatabase>(database);
