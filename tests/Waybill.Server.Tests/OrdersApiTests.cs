using System.Net;
using System.Text.Json;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class OrdersApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Creating_an_order_answers_201_with_the_order_and_its_location()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostJsonAsync("/v1/orders", Build.Order("WEB-1001", lines: [Build.Line(quantity: 2, unitPrice: 12.5m)]));
        var order = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = order.GetProperty("id").GetString()!;
        Assert.Equal(7, Guid.Parse(id).Version);
        Assert.Equal($"/v1/orders/{id}", response.Headers.Location?.ToString());
        Assert.Equal("WEB-1001", order.GetProperty("reference").GetString());
        Assert.Equal("created", order.GetProperty("status").GetString());
        Assert.Equal("EUR", order.GetProperty("currency").GetString());
        Assert.Equal(25m, order.GetProperty("goodsTotal").GetDecimal());
        Assert.Equal(0.4m, order.GetProperty("totalWeightKg").GetDecimal());
        Assert.Equal(JsonValueKind.String, order.GetProperty("createdAt").ValueKind);
        Assert.Equal("anna@example.com", order.GetProperty("buyer").GetProperty("email").GetString());
        Assert.Equal("10115", order.GetProperty("shipTo").GetProperty("postalCode").GetString());
        Assert.Equal("610910", order.GetProperty("lines")[0].GetProperty("hsCode").GetString());
        var read = await (await client.GetAsync($"/v1/orders/{id}", TestContext.Current.CancellationToken)).JsonAsync();
        Assert.Equal(order.ToString(), read.ToString());
    }

    [Fact]
    public async Task A_second_order_with_the_same_reference_answers_409()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/orders", Build.Order("DUP-1"));

        var response = await client.PostJsonAsync("/v1/orders", Build.Order("DUP-1"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("orders.reference_taken", (await response.JsonAsync()).Code());
    }

    [Fact]
    public async Task Every_wrong_field_is_named_at_once_in_a_400()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var order = Build.Order(country: "GB", postalCode: "12345") with
        {
            Currency = "EURO",
            Buyer = new("Anna", "not-an-email", null, "english", "W. Europe Standard Time"),
            Lines = [Build.Line(quantity: 0, unitPrice: -1, hsCode: "61A9", weightKg: 0)],
        };

        var response = await client.PostJsonAsync("/v1/orders", order);
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("orders.invalid", problem.Code());
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(
            ["buyer.email", "buyer.locale", "buyer.timeZone", "currency", "lines[0].hsCode", "lines[0].quantity", "lines[0].unitPrice", "lines[0].weightKg", "shipTo.postalCode"],
            fields);
    }

    [Fact]
    public async Task An_order_without_lines_is_refused_naming_lines()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostJsonAsync("/v1/orders", Build.Order() with { Lines = [] });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("lines", out _));
    }

    [Theory]
    [InlineData("{\"reference\": ", "reference")]
    [InlineData("{\"reference\": \"R\", \"lines\": [{\"quantity\": {}}]}", "lines[0].quantity")]
    [InlineData("[1, 2]", "body")]
    [InlineData("{\"reference\": \"R\", \"lines\": [{\"quantity\": \"3\"}]}", "lines[0].quantity")]
    public async Task Malformed_json_answers_400_naming_where_it_broke(string body, string field)
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostRawAsync("/v1/orders", body);
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("request.malformed_json", problem.Code());
        Assert.Contains(field, problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_body_that_is_not_json_answers_415()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostRawAsync("/v1/orders", "reference=R1", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("request.unsupported_media_type", (await response.JsonAsync()).Code());
    }

    [Fact]
    public async Task Lists_use_the_page_envelope_and_refuse_bad_paging()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        for (var i = 0; i < 3; i++)
        {
            await client.PostJsonAsync("/v1/orders", Build.Order($"L-{i}"));
        }

        var page = await (await client.GetAsync("/v1/orders?page=2&pageSize=2", TestContext.Current.CancellationToken)).JsonAsync();
        var defaults = await (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync();
        var tooBig = await client.GetAsync("/v1/orders?pageSize=501", TestContext.Current.CancellationToken);
        var notANumber = await client.GetAsync("/v1/orders?page=abc", TestContext.Current.CancellationToken);
        var unknownStatus = await client.GetAsync("/v1/orders?status=lost", TestContext.Current.CancellationToken);
        var beyondAnyList = await client.GetAsync("/v1/orders?page=2000000000&pageSize=500", TestContext.Current.CancellationToken);

        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("L-0", page.GetProperty("items")[0].GetProperty("reference").GetString());
        Assert.Equal(50, defaults.GetProperty("pageSize").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notANumber.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownStatus.StatusCode);
        Assert.Equal("request.invalid_query", (await unknownStatus.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.BadRequest, beyondAnyList.StatusCode);
    }

    [Fact]
    public async Task Cancelling_answers_200_then_409_when_already_cancelled()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var id = (await (await client.PostJsonAsync("/v1/orders", Build.Order())).JsonAsync()).GetProperty("id").GetString();

        var first = await client.PostAsync($"/v1/orders/{id}/cancel", null, TestContext.Current.CancellationToken);
        var second = await client.PostAsync($"/v1/orders/{id}/cancel", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("cancelled", (await first.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("orders.already_cancelled", (await second.JsonAsync()).Code());
    }

    [Fact]
    public async Task A_csv_import_over_http_reports_bad_rows_by_line_and_writes_nothing()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var csv = string.Join("\n", Build.CsvHeader, Build.CsvRow("C-1"), Build.CsvRow("C-2", quantity: "zero"), Build.CsvRow("C-3", postalCode: "1")) + "\n";

        var response = await client.PostRawAsync("/v1/orders/import", csv, "text/csv");
        var problem = await response.JsonAsync();
        var after = await (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("orders.import_invalid", problem.Code());
        var errors = problem.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("column").GetString(), e.GetProperty("reason").GetString()!.Length > 0))
            .ToArray();
        Assert.Equal([(3, "quantity", true), (4, "ship_to_postal_code", true)], errors);
        Assert.Equal(0, after.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_csv_import_over_http_creates_orders_and_skips_them_the_second_time()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var csv = string.Join("\n", Build.CsvHeader, Build.CsvRow("H-1"), Build.CsvRow("H-1", sku: "TS-2"), Build.CsvRow("H-2")) + "\n";

        var first = await (await client.PostRawAsync("/v1/orders/import", csv, "text/csv")).JsonAsync();
        var second = await (await client.PostRawAsync("/v1/orders/import", csv, "text/csv")).JsonAsync();

        Assert.Equal("""{"created":2,"skipped":0,"lines":3}""", first.ToString().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("""{"created":0,"skipped":2,"lines":3}""", second.ToString().Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_csv_import_sent_as_json_answers_415()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostRawAsync("/v1/orders/import", "{}");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}

public sealed class OrdersApiTestsOnSqlite(SqliteApp app) : OrdersApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class OrdersApiTestsOnPostgres(PostgresApp app) : OrdersApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
