using System.Net;
using Waybill.Cli;
using Waybill.Persistence;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>The CLI and a running server share one data directory or database.</summary>
public abstract class CliWithRunningServerTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private async Task<(int ExitCode, string Out, string Err)> WaybillAsync(params string[] args)
    {
        app.Database.RequireAvailable();
        var storage = app.Database.Storage;
        string[] where = storage.Provider == DatabaseProvider.Postgres
            ? ["--database", storage.ConnectionString]
            : ["--data-dir", storage.DataDirectory];
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync([.. args, .. where], stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n')[^1];

    [Fact]
    public async Task A_tenant_added_by_the_cli_can_call_the_api_at_once()
    {
        _ = await app.NewTenantClientAsync(); // the server is up and has answered other tenants
        var (code, output, _) = await WaybillAsync("tenants", "add", $"Cli Seller {Guid.NewGuid():N}");

        using var client = app.ClientWithKey(LastLine(output));
        var response = await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.StartsWith("wb_", LastLine(output), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_rotated_key_stops_working_and_the_new_one_works()
    {
        var name = $"Rotating {Guid.NewGuid():N}";
        var (_, added, _) = await WaybillAsync("tenants", "add", name);
        var oldKey = LastLine(added);
        using var oldClient = app.ClientWithKey(oldKey);
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).StatusCode);

        var (code, rotated, _) = await WaybillAsync("tenants", "rotate-key", name.ToUpperInvariant());
        using var newClient = app.ClientWithKey(LastLine(rotated));

        Assert.Equal(0, code);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).StatusCode);
        // The server notices a rotation made by another process within its 200 ms poll.
        var deadline = DateTime.UtcNow.AddSeconds(2);
        HttpStatusCode status;
        do
        {
            status = (await oldClient.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).StatusCode;
        }
        while (status != HttpStatusCode.Unauthorized && DateTime.UtcNow < deadline && await Task.Delay(50, TestContext.Current.CancellationToken).ContinueWith(_ => true, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Tenant_names_are_unique_ignoring_case()
    {
        var name = $"Unique {Guid.NewGuid():N}";
        var (first, _, _) = await WaybillAsync("tenants", "add", name);
        var (second, _, error) = await WaybillAsync("tenants", "add", name.ToUpperInvariant());
        var (_, list, _) = await WaybillAsync("tenants", "list");

        Assert.Equal(0, first);
        Assert.Equal(1, second);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Single(list.Split('\n'), l => l.StartsWith(name + "\t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotating_the_key_of_an_unknown_tenant_fails_with_a_message()
    {
        var (code, output, error) = await WaybillAsync("tenants", "rotate-key", "nobody-" + Guid.NewGuid());

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("No tenant", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orders_imported_by_the_cli_are_served_by_the_api()
    {
        var name = $"Importer {Guid.NewGuid():N}";
        var (_, added, _) = await WaybillAsync("tenants", "add", name);
        var file = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(file, [Build.CsvHeader, Build.CsvRow("CLI-1"), Build.CsvRow("CLI-1", sku: "TS-2"), Build.CsvRow("CLI-2")], TestContext.Current.CancellationToken);
        try
        {
            var (code, output, _) = await WaybillAsync("orders", "import", file, "--tenant", name);
            using var client = app.ClientWithKey(LastLine(added));
            var list = await (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync();

            Assert.Equal(0, code);
            Assert.Equal("""{"created":2,"skipped":0,"lines":3}""", output.Trim());
            Assert.Equal(2, list.GetProperty("total").GetInt32());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Track_prints_the_timeline_across_legs_in_time_order()
    {
        var name = $"Tracker {Guid.NewGuid():N}";
        var (_, added, _) = await WaybillAsync("tenants", "add", name);
        using var client = app.ClientWithKey(LastLine(added));
        await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { carrier = "s10", trackingNumber = "EE876543216CA", role = "first_mile" }, new { carrier = "dhl", trackingNumber = "JJD000390007", role = "last_mile" } } });
        await client.PostJsonAsync("/v1/tracking/events", new
        {
            events = new object[]
            {
                new { trackingNumber = "JJD000390007", carrier = "dhl", code = "OK", description = "Delivered", occurredAt = "2026-11-24T14:05:00+01:00", location = new { city = "Berlin", country = "DE" } },
                new { trackingNumber = "EE876543216CA", carrier = "s10", code = "EMA", description = "Posted", occurredAt = "2026-11-18T09:00:00-05:00", location = new { city = "Toronto", postalCode = "M5V 2T6", country = "CA" } },
            },
        });

        var (code, output, error) = await WaybillAsync("track", "ee 876543216 ca", "--tenant", name);
        var (missing, _, missingError) = await WaybillAsync("track", "RR000000000GB", "--tenant", name);

        Assert.True(code == 0, error);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.StartsWith("# shipment ", lines[0], StringComparison.Ordinal);
        Assert.Contains("legs: s10 EE876543216CA (first_mile), dhl JJD000390007 (last_mile)", lines[0], StringComparison.Ordinal);
        Assert.Equal(["2026-11-18 09:00 -05:00", "s10:EMA", "in_transit", "posted", "M5V 2T6 Toronto CA", "Posted"], lines[1].Split('\t'));
        Assert.StartsWith("2026-11-24 14:05 +01:00\tdhl:OK\t", lines[2], StringComparison.Ordinal);
        Assert.Equal(1, missing);
        Assert.Contains("no shipment", missingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_file_exits_non_zero_listing_every_bad_row_on_standard_error()
    {
        var name = $"Bad importer {Guid.NewGuid():N}";
        await WaybillAsync("tenants", "add", name);
        var file = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(file, [Build.CsvHeader, Build.CsvRow("B-1", quantity: "-1"), Build.CsvRow("B-2", country: "ZZ")], TestContext.Current.CancellationToken);
        try
        {
            var (code, output, error) = await WaybillAsync("orders", "import", file, "--tenant", name);

            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Contains("line 2, column quantity", error, StringComparison.Ordinal);
            Assert.Contains("line 3, column ship_to_country", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

public sealed class CliWithRunningServerTestsOnSqlite(SqliteApp app) : CliWithRunningServerTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class CliWithRunningServerTestsOnPostgres(PostgresApp app) : CliWithRunningServerTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
