using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Tracking;

public abstract class EventIngestTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.FromHours(8));

    /// <summary>A postal parcel's journey from China to Germany, in UPU event codes.</summary>
    private static EventInput[] Journey(string number) =>
    [
        Event(number, "EMA", Start, "Shenzhen", "CN"),
        Event(number, "EMC", Start.AddHours(30), "Guangzhou", "CN"),
        Event(number, "EMD", Start.AddHours(60).ToOffset(TimeSpan.FromHours(1)), "Frankfurt", "DE"),
        Event(number, "EMG", Start.AddHours(90).ToOffset(TimeSpan.FromHours(1)), "Berlin", "DE"),
        Event(number, "EMI", Start.AddHours(100).ToOffset(TimeSpan.FromHours(1)), "Berlin", "DE"),
    ];

    private static EventInput Event(string number, string code, DateTimeOffset at, string city, string country, string carrier = "s10") =>
        new(number, carrier, code, $"{code} at {city}", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture), new LocationInput(city, null, country));


    private async Task<ShipmentView> RegisterAsync(WaybillDb db, params string[] numbers) =>
        (await new RegisterShipment.Handler(db, _clock).HandleAsync(
            new RegisterShipment.Request(null, numbers.Select(n => new LegInput("s10", n, null)).ToList()), TestContext.Current.CancellationToken)).Value;

    private Task<Result<IngestEvents.Response>> IngestAsync(WaybillDb db, IEnumerable<EventInput> events) =>
        new IngestEvents.Handler(db, database.Events).HandleAsync(new IngestEvents.Request(events.ToList()), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Events_move_a_shipment_through_its_milestones_to_delivered()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var number = Build.S10(12345678);
        var shipment = await RegisterAsync(db, number);

        var result = (await IngestAsync(db, Journey(number))).Value;
        var after = (await new GetShipment.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;
        var events = (await new ListShipmentEvents.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(new IngestEvents.Response(5, 0, 0, []), result with { Rejected = [] });
        Assert.Equal("delivered", after.Status);
        Assert.Equal("delivered", after.Milestone);
        Assert.Equal("EMI", after.LastEvent?.Code);
        Assert.Equal(["EMA", "EMC", "EMD", "EMG", "EMI"], events.Select(e => e.Code));
        Assert.Equal(TimeSpan.FromHours(8), events[0].OccurredAt.Offset);
        Assert.Equal(TimeSpan.FromHours(1), events[2].OccurredAt.Offset);
        Assert.Equal(Start.AddHours(60), events[2].OccurredAt);
    }

    [Fact]
    public async Task An_event_sent_again_is_stored_once()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var number = Build.S10(22345678);
        await RegisterAsync(db, number);
        var first = Journey(number);
        var shouty = first[1] with { Location = first[1].Location! with { City = "GUANGZHOU" }, TrackingNumber = number[..4] + " " + number[4..] };

        var once = (await IngestAsync(db, first)).Value;
        var again = (await IngestAsync(db, [.. first, shouty, first[0]])).Value;

        Assert.Equal((5, 0), (once.Accepted, once.Duplicates));
        Assert.Equal((0, 7), (again.Accepted, again.Duplicates));
    }

    [Fact]
    public async Task Shuffled_duplicated_and_batched_arrival_ends_in_the_same_state_as_in_order()
    {
        var (ordered, _, _) = await database.NewTenantAsync();
        var (shuffled, _, _) = await database.NewTenantAsync();
        await using var _1 = ordered;
        await using var _2 = shuffled;
        var numbers = Enumerable.Range(0, 20).Select(i => Build.S10(30000000 + i)).ToArray();
        var all = new List<EventInput>();
        var random = new Random(42);
        foreach (var number in numbers)
        {
            // Each parcel stops somewhere along the way, some with an unmapped code, some with a same-time tie.
            var journey = Journey(number).Take(1 + random.Next(5)).ToList();
            if (random.Next(3) == 0)
            {
                journey.Add(Event(number, "ZZZ", Start.AddHours(200), "Berlin", "DE"));
            }
            if (random.Next(3) == 0)
            {
                journey.Add(journey[^1] with { Code = "EMH", Description = "attempt" });
            }
            all.AddRange(journey);
        }
        foreach (var number in numbers)
        {
            await RegisterAsync(ordered, number);
            await RegisterAsync(shuffled, number);
        }

        await IngestAsync(ordered, all.OrderBy(e => DateTimeOffset.Parse(e.OccurredAt!, System.Globalization.CultureInfo.InvariantCulture)));
        var mixed = all.Concat(all.Where((_, i) => i % 7 == 0)).OrderBy(_ => random.Next()).ToList();
        foreach (var batch in mixed.Chunk(9))
        {
            await IngestAsync(shuffled, batch);
        }

        var a = await StatesAsync(ordered);
        var b = await StatesAsync(shuffled);
        Assert.Equal(a, b);
        Assert.Contains(a.Values, s => s.Milestone == "delivered");
    }

    private static async Task<Dictionary<string, (string Status, string? Milestone, string? LastCode)>> StatesAsync(WaybillDb db)
    {
        var page = (await new ListShipments.Handler(db).HandleAsync(new(null, null, null, 1, 500), TestContext.Current.CancellationToken)).Value;
        return page.Items.ToDictionary(s => s.Legs[0].TrackingNumber, s => (s.Status, s.Milestone, s.LastEvent?.Code));
    }

    [Fact]
    public async Task Events_for_an_unknown_number_are_kept_and_attached_when_the_shipment_is_registered()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var number = Build.S10(42345678);

        var early = (await IngestAsync(db, Journey(number).Take(3))).Value;
        var shipment = await RegisterAsync(db, number);
        var events = (await new ListShipmentEvents.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;

        Assert.Equal((3, 3), (early.Accepted, early.Unmatched));
        Assert.Equal("arrived_destination_country", shipment.Milestone);
        Assert.Equal("in_transit", shipment.Status);
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(shipment.Legs[0].Id, e.LegId));
    }

    [Fact]
    public async Task Events_arriving_while_their_leg_is_registered_all_end_on_the_shipment()
    {
        var (db, tenant, _) = await database.NewTenantAsync();
        await using var _db = db;
        for (var i = 0; i < 8; i++)
        {
            var number = Build.S10(45000000 + i);
            await using var registering = database.Storage.CreateDb();
            await using var ingesting = database.Storage.CreateDb();
            registering.TenantId = ingesting.TenantId = tenant;

            var register = RegisterAsync(registering, number);
            var ingest = IngestAsync(ingesting, Journey(number));
            await Task.WhenAll(register, ingest);
            var events = (await new ListShipmentEvents.Handler(db).HandleAsync((await register).Id, TestContext.Current.CancellationToken)).Value;

            Assert.Equal(5, events.Count);
        }
    }

    [Fact]
    public async Task A_batch_of_thousands_of_events_is_taken_in_one_request()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var numbers = Enumerable.Range(0, 300).Select(i => Build.S10(46000000 + i)).ToArray();
        foreach (var number in numbers.Take(150))
        {
            await RegisterAsync(db, number);
        }

        var result = (await IngestAsync(db, numbers.SelectMany(Journey))).Value;
        var delivered = (await new ListShipments.Handler(db).HandleAsync(new(null, "delivered", null, 1, 500), TestContext.Current.CancellationToken)).Value;

        Assert.Equal(new IngestEvents.Response(1500, 0, 750, []), result with { Rejected = [] });
        Assert.Empty(result.Rejected);
        Assert.Equal(150, delivered.Total);
    }

    [Fact]
    public async Task Bad_events_are_refused_one_by_one_and_the_rest_is_stored()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var number = Build.S10(52345678);
        await RegisterAsync(db, number);
        var good = Journey(number);

        var result = (await IngestAsync(db,
        [
            good[0],
            good[1] with { TrackingNumber = " " },
            good[2] with { OccurredAt = "yesterday" },
            good[3] with { OccurredAt = "2026-11-21T10:00:00" },
            good[4] with { Location = new LocationInput("Atlantis", null, "XX") },
            good[4],
        ])).Value;

        Assert.Equal(2, result.Accepted);
        Assert.Equal(
            [(1, "tracking.number_missing"), (2, "tracking.time_invalid"), (3, "tracking.offset_missing"), (4, "tracking.country_unknown")],
            result.Rejected.Select(r => (r.Index, r.Code)));
    }

    [Fact]
    public async Task An_unknown_code_is_stored_flagged_unmapped_and_does_not_move_the_state()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var number = Build.S10(62345678);
        var shipment = await RegisterAsync(db, number);

        await IngestAsync(db, [Journey(number)[0], Event(number, "QQ9", Start.AddDays(3), "Berlin", "DE")]);
        var after = (await new GetShipment.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;
        var events = (await new ListShipmentEvents.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;

        Assert.Equal("EMA", after.LastEvent?.Code);
        Assert.Equal("posted", after.Milestone);
        Assert.True(events.Single(e => e.Code == "QQ9").Unmapped);
        Assert.Null(events.Single(e => e.Code == "QQ9").Status);
    }

    [Fact]
    public async Task One_timeline_spans_every_leg_and_its_milestone_comes_from_all_of_them()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var postal = Build.S10(72345678);
        var lastMile = "LM" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var shipment = await RegisterAsync(db, postal);

        var added = await new AddLeg.Handler(db, _clock).HandleAsync(shipment.Id, new LegInput("dhl", lastMile, "last_mile"), TestContext.Current.CancellationToken);
        await IngestAsync(db, Journey(postal).Take(3));
        await IngestAsync(db, [Event(lastMile, "ZZ-LOCAL", Start.AddHours(95), "Berlin", "DE", carrier: "dhl")]);
        var events = (await new ListShipmentEvents.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;
        var taken = await new RegisterShipment.Handler(db, _clock).HandleAsync(new(null, [new LegInput("dhl", lastMile, null)]), TestContext.Current.CancellationToken);

        Assert.True(added.IsSuccess, added.Error?.Message);
        Assert.Equal(["first_mile", "last_mile"], added.Value.Legs.Select(l => l.Role ?? "first_mile"));
        Assert.Equal(4, events.Count);
        Assert.Equal(2, events.Select(e => e.LegId).Distinct().Count());
        Assert.Equal("tracking.leg_taken", taken.Error?.Code);
    }

    [Fact]
    public async Task Concurrent_batches_with_shared_duplicates_store_each_event_once_and_count_every_event()
    {
        var (db, tenant, _) = await database.NewTenantAsync();
        await using var _db = db;
        var numbers = Enumerable.Range(0, 40).Select(i => Build.S10(81000000 + i)).ToArray();
        foreach (var number in numbers)
        {
            await RegisterAsync(db, number);
        }
        var all = numbers.SelectMany(Journey).ToList();
        var random = new Random(5);
        // Twelve requests at once, each with a random half of all events: most events arrive several times, in
        // batches the writer may gather into one transaction or not.
        var batches = Enumerable.Range(0, 12).Select(_ => all.OrderBy(_ => random.Next()).Take(all.Count / 2).ToList()).ToList();
        var sent = batches.SelectMany(b => b).DistinctBy(e => (e.TrackingNumber, e.Code)).Count();

        var results = await Task.WhenAll(batches.Select(async batch =>
        {
            await using var own = database.Storage.CreateDb();
            own.TenantId = tenant;
            return (await IngestAsync(own, batch)).Value;
        }));
        var states = await StatesAsync(db);

        Assert.Equal(sent, results.Sum(r => r.Accepted));
        Assert.All(results.Zip(batches), p => Assert.Equal(p.Second.Count, p.First.Accepted + p.First.Duplicates));
        Assert.All(results, r => Assert.Equal(0, r.Unmatched));
        foreach (var number in numbers)
        {
            var got = batches.SelectMany(b => b).Where(e => e.TrackingNumber == number).Select(e => e.Code).Distinct().ToList();
            var last = Journey(number).Last(e => got.Contains(e.Code!)).Code;
            Assert.Equal(last, states[number].LastCode);
        }
    }

    [Fact]
    public async Task A_leg_registration_between_two_ingests_is_merged_with_them_and_not_overwritten()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var postal = Build.S10(82345678);
        var lastMile = "LM" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var shipment = await RegisterAsync(db, postal);
        var journey = Journey(postal);

        // The writer learns (and keeps) the shipment's state here...
        await IngestAsync(db, journey.Take(2));
        // ...then a registration changes that state behind it: the last-mile events waiting for their leg are merged.
        await IngestAsync(db, [Event(lastMile, "OK", Start.AddHours(98), "Berlin", "DE", carrier: "dhl")]);
        var added = await new AddLeg.Handler(db, _clock).HandleAsync(shipment.Id, new LegInput("dhl", lastMile, "last_mile"), TestContext.Current.CancellationToken);
        // The next ingest must see the registration's merge, not write its stale copy over it.
        await IngestAsync(db, [journey[2]]);
        var after = (await new GetShipment.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;
        var events = (await new ListShipmentEvents.Handler(db).HandleAsync(shipment.Id, TestContext.Current.CancellationToken)).Value;

        Assert.True(added.IsSuccess, added.Error?.Message);
        Assert.Equal("delivered", added.Value.Milestone);
        Assert.Equal("delivered", after.Milestone);
        Assert.Equal("OK", after.LastEvent?.Code);
        Assert.Equal(4, events.Count);
    }
}

public sealed class EventIngestTestsOnSqlite(SqliteDatabase database) : EventIngestTests<SqliteDatabase>(database);

public sealed class EventIngestTestsOnPostgres(PostgresDatabase database) : EventIngestTests<PostgresDatabase>(database);
