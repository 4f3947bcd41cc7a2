using System.Net;
using System.Net.Http.Json;
using Waybill.Orders;
using Waybill.Server.Tests.Support;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class RatesApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static readonly WarehouseInput Shenzhen = Build.Warehouse();

    private static readonly AddressInput Berlin = new(null, null, null, null, null, "10115", "DE");

    [Fact]
    public async Task Parcels_from_the_only_origin_warehouse_get_routes_cheapest_first_in_the_tenants_currency()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/warehouses", Shenzhen);

        var response = await client.PostJsonAsync("/v1/rates",
            new RatesInput(null, null, Berlin, [new ParcelInput(0.3m, 20, 15, 3)], null, null));
        var rates = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN", rates.GetProperty("from").GetString());
        Assert.Equal("EUR", rates.GetProperty("currency").GetString());
        var routes = rates.GetProperty("routes").EnumerateArray().ToList();
        Assert.True(routes.Count >= 3, rates.ToString());
        var totals = routes.Select(r => r.GetProperty("total").GetProperty("amount").GetDecimal()).ToList();
        Assert.Equal(totals.Order(), totals);
        Assert.All(routes, r => Assert.Equal("EUR", r.GetProperty("total").GetProperty("currency").GetString()));
        var first = routes[0];
        Assert.Equal(first.GetProperty("total").GetProperty("amount").GetDecimal(),
            first.GetProperty("legs").EnumerateArray().Sum(l => l.GetProperty("priceConverted").GetProperty("amount").GetDecimal()));
        Assert.True(first.GetProperty("transitDays").GetProperty("p90").GetDouble() >= first.GetProperty("transitDays").GetProperty("p50").GetDouble());
    }

    [Fact]
    public async Task Lines_are_packed_and_their_hs_default_dangerous_goods_leave_services_out_with_the_reason()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostJsonAsync("/v1/rates", new RatesInput(
            null, new RatesFromInput("CN", null), Berlin, null, [Build.Line("PB-1", 1, 20m, "8507.60", 0.4m)], "USD"));
        var rates = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("USD", rates.GetProperty("currency").GetString());
        Assert.Equal(["UN3480"], rates.GetProperty("dangerousGoods").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(0.43m, rates.GetProperty("parcels")[0].GetProperty("weightKg").GetDecimal()); // 0.4 kg in the 0.03 kg small mailer
        var leftOut = rates.GetProperty("leftOut").EnumerateArray().ToList();
        Assert.Contains(leftOut, l => l.GetProperty("service").GetString() == "sbx-post-cn-packet-tracked" && l.GetProperty("code").GetString() == "restriction");
    }

    [Fact]
    public async Task Bad_requests_name_every_wrong_field_and_a_missing_warehouse_is_a_422()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var invalid = await client.PostJsonAsync("/v1/rates", new RatesInput(
            null, new RatesFromInput("XX", null), new AddressInput(null, null, null, null, null, "1", "DE"), [new ParcelInput(0, 10, null, 10)], null, "EURO"));
        var noWarehouse = await client.PostJsonAsync("/v1/rates", new RatesInput(null, null, Berlin, [new ParcelInput(1, 10, 10, 10)], null, null));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.JsonAsync();
        Assert.Equal("rates.invalid", problem.Code());
        Assert.Equal(
            ["currency", "from.country", "parcels[0].weightKg", "parcels[0].widthCm", "shipTo.postalCode"],
            problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noWarehouse.StatusCode);
        Assert.Equal("shipping.no_warehouse", (await noWarehouse.JsonAsync()).Code());
    }

    [Fact]
    public async Task Booking_answers_201_with_the_shipment_replays_with_the_same_key_and_refuses_a_second_booking()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/warehouses", Shenzhen);
        var order = await (await client.PostJsonAsync("/v1/orders", Build.Order("BOOK-1"))).JsonAsync();
        var path = $"/v1/orders/{order.GetProperty("id").GetString()}/shipments";

        using var first = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new BookingInput("cheapest")) };
        first.Headers.Add("Idempotency-Key", "book-1");
        var booked = await client.SendAsync(first, TestContext.Current.CancellationToken);
        using var retry = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new BookingInput("cheapest")) };
        retry.Headers.Add("Idempotency-Key", "book-1");
        var replayed = await client.SendAsync(retry, TestContext.Current.CancellationToken);
        var second = await client.PostJsonAsync(path, new BookingInput());

        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var shipment = await booked.JsonAsync();
        Assert.Equal($"/v1/shipments/{shipment.GetProperty("id").GetString()}", booked.Headers.Location?.ToString());
        Assert.Equal("EUR", shipment.GetProperty("price").GetProperty("currency").GetString());
        Assert.All(shipment.GetProperty("legs").EnumerateArray(), l => Assert.False(string.IsNullOrEmpty(l.GetProperty("service").GetString())));
        Assert.All(shipment.GetProperty("legs").EnumerateArray(), l => Assert.Contains(l.GetProperty("role").GetString(), (string[])["first_mile", "line_haul", "last_mile", "end_to_end"]));
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.Equal(shipment.GetProperty("id").GetString(), (await replayed.JsonAsync()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("shipping.already_booked", (await second.JsonAsync()).Code());
        var shipped = await (await client.GetAsync($"/v1/orders/{order.GetProperty("id").GetString()}", TestContext.Current.CancellationToken)).JsonAsync();
        Assert.Equal("shipped", shipped.GetProperty("status").GetString());

        var label = await client.GetAsync($"/v1/shipments/{shipment.GetProperty("id").GetString()}/label", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, label.StatusCode);
        Assert.Equal("application/pdf", label.Content.Headers.ContentType?.MediaType);
        var pdf = await label.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        if (Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, "pdftotext"))))
        {
            var file = Path.Combine(Path.GetTempPath(), $"label-{Guid.NewGuid():N}.pdf");
            await File.WriteAllBytesAsync(file, pdf, TestContext.Current.CancellationToken);
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("pdftotext", [file, "-"]) { RedirectStandardOutput = true })!;
            var text = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            File.Delete(file);
            Assert.Contains("Anna Schmidt", text, StringComparison.Ordinal);
            Assert.Contains("Acme Fulfilment", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_registered_shipment_has_no_label_and_an_unknown_one_is_404()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var registered = await (await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { trackingNumber = "RB123456785CN" } } })).JsonAsync();

        var none = await client.GetAsync($"/v1/shipments/{registered.GetProperty("id").GetString()}/label", TestContext.Current.CancellationToken);
        var unknown = await client.GetAsync($"/v1/shipments/{Guid.NewGuid()}/label", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        Assert.Equal("shipping.not_booked", (await none.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}

public sealed class RatesApiTestsOnSqlite(SqliteApp app) : RatesApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class RatesApiTestsOnPostgres(PostgresApp app) : RatesApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
