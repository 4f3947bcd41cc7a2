using System.Net;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>Orders' HS codes are checked against the HS 2022 nomenclature: a well-formed code that names nothing is a 422.</summary>
public abstract class OrderHsCodeTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task An_order_with_an_unknown_hs_code_answers_422_naming_the_line_and_is_not_created()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var order = Build.Order("HS-1", lines: [Build.Line(), Build.Line(sku: "PH-1", hsCode: "8517.19")]);

        var response = await client.PostJsonAsync("/v1/orders", order);
        var problem = await response.JsonAsync();
        var list = await (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("customs.hs_code_unknown", problem.Code());
        Assert.Equal(["lines[1].hsCode"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Contains("8517.19", problem.GetProperty("errors").GetProperty("lines[1].hsCode")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_national_code_whose_first_six_digits_exist_is_accepted_and_a_malformed_code_stays_a_400()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var national = await client.PostJsonAsync("/v1/orders", Build.Order("HS-2", lines: [Build.Line(hsCode: "6109.10.0010")]));
        var malformed = await client.PostJsonAsync("/v1/orders", Build.Order("HS-3", lines: [Build.Line(hsCode: "61A9")]));

        Assert.Equal(HttpStatusCode.Created, national.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("orders.invalid", (await malformed.JsonAsync()).Code());
    }

    [Fact]
    public async Task A_csv_row_with_an_unknown_hs_code_is_reported_by_line_and_column_and_nothing_is_imported()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var csv = string.Join("\n", Build.CsvHeader, Build.CsvRow("C-1"), Build.CsvRow("C-2").Replace(",6109.10,", ",9999.99,", StringComparison.Ordinal)) + "\n";

        var response = await client.PostRawAsync("/v1/orders/import", csv, "text/csv");
        var problem = await response.JsonAsync();
        var after = await (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal("orders.import_invalid", problem.Code());
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("column").GetString())).ToArray();
        Assert.Equal([(3, "hs_code")], errors);
        Assert.Equal(0, after.GetProperty("total").GetInt32());
    }
}

public sealed class OrderHsCodeTestsOnSqlite(SqliteApp app) : OrderHsCodeTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class OrderHsCodeTestsOnPostgres(PostgresApp app) : OrderHsCodeTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
