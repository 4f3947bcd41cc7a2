using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tenancy;

// Waybill benchmarks: each figure is printed beside its baseline, measured in the same run on this machine.
// Usage: dotnet run -c Release --project bench/Waybill.Bench [-- csv-import [--rows N] | detect [--lines N] | ingest [--events N] [--database CS] | hs-search [--rounds N] | quotes [--seconds N] [--http-only] [--round S] [--pairs P] [--stages-only] [--ceiling]]
if (args.FirstOrDefault() == "ingest")
{
    await Waybill.Bench.IngestBench.RunAsync(args[1..]);
    return;
}
if (args.FirstOrDefault() == "hs-search")
{
    Waybill.Bench.HsSearchBench.Run(args[1..]);
    return;
}
if (args.FirstOrDefault() == "quotes")
{
    await Waybill.Bench.QuotesBench.RunAsync(args[1..]);
    return;
}
if (args.FirstOrDefault() == "detect")
{
    Waybill.Bench.DetectBench.Run(args[1..]);
    return;
}
var rows = args.SkipWhile(a => a != "--rows").Skip(1).Select(int.Parse).FirstOrDefault(100_000);
await CsvImportBench.RunAsync(rows);

internal static class CsvImportBench
{
    public static async Task RunAsync(int rows)
    {
        var csv = Generate(rows);
        Console.Error.WriteLine($"csv-import: {rows:N0} rows ({rows / 2:N0} orders), {csv.Length / 1024.0 / 1024.0:F1} MiB of CSV");

        // Waybill: parse, validate every row, check existing references, bulk-write, all in one transaction.
        var storage = Storage.Resolve(TempDirectory(), null);
        await storage.MigrateAsync(CancellationToken.None);
        await using var db = storage.CreateDb();
        db.TenantId = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new AddTenant.Request("bench"), CancellationToken.None)).Value.Id;
        var watch = Stopwatch.StartNew();
        var result = await new ImportOrders.Handler(db, TimeProvider.System).HandleAsync(new MemoryStream(csv), null, CancellationToken.None);
        var waybill = watch.Elapsed;
        if (!result.IsSuccess || result.Value.Created != rows / 2)
        {
            throw new InvalidOperationException($"import failed: {result.Error?.Message}");
        }

        // Baseline: the same rows as plain prepared single-row INSERTs in one transaction, nothing parsed or checked.
        var baselineStorage = Storage.Resolve(TempDirectory(), null);
        await baselineStorage.MigrateAsync(CancellationToken.None);
        var baseline = PlainPreparedInserts(baselineStorage, rows);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"csv-import sqlite: {rows} rows, {rows / 2} orders in {waybill.TotalSeconds:F2} s ({rows / waybill.TotalSeconds:F0} rows/s) | baseline plain prepared inserts: {baseline.TotalSeconds:F2} s ({rows / baseline.TotalSeconds:F0} rows/s) | target < 10 s for 100000 rows: {(waybill.TotalSeconds < 10 ? "met" : "MISSED")}"));
    }

    private static TimeSpan PlainPreparedInserts(Storage storage, int rows)
    {
        using var connection = new SqliteConnection(storage.ConnectionString);
        connection.Open();
        var tenant = Guid.CreateVersion7().ToString().ToUpperInvariant();
        using (var t = connection.CreateCommand())
        {
            t.CommandText = "INSERT INTO tenants (id, name, name_key, api_key_hash, created_at, key_issued_at) VALUES ($id, 'bench', 'BENCH', 'x', 0, 0)";
            t.Parameters.AddWithValue("$id", tenant);
            t.ExecuteNonQuery();
        }
        var watch = Stopwatch.StartNew();
        using var tx = connection.BeginTransaction();
        using var order = connection.CreateCommand();
        order.Transaction = tx;
        order.CommandText = """
            INSERT INTO orders (id, tenant_id, reference, status, currency, incoterm, buyer_name, buyer_email, buyer_phone, buyer_locale,
              buyer_time_zone, ship_to_name, ship_to_line1, ship_to_line2, ship_to_city, ship_to_region, ship_to_postal_code, ship_to_country,
              goods_total, total_weight_kg, content_hash, created_at, updated_at)
            VALUES ($id, $tenant, $reference, 'created', 'EUR', 'DDP', $name, $email, NULL, NULL, NULL, $name, $line1, NULL, 'Berlin', NULL,
              $postal, 'DE', $total, $weight, $hash, $now, $now)
            """;
        foreach (var name in new[] { "$id", "$tenant", "$reference", "$name", "$email", "$line1", "$postal", "$total", "$weight", "$hash", "$now" })
        {
            order.Parameters.Add(new SqliteParameter(name, null));
        }
        order.Prepare();
        using var line = connection.CreateCommand();
        line.Transaction = tx;
        line.CommandText = """
            INSERT INTO order_lines (id, order_id, tenant_id, line_number, sku, description, quantity, unit_price, hs_code, origin_country, weight_kg)
            VALUES ($id, $order, $tenant, $number, $sku, 'Cotton T-shirt', 2, 125000, '610910', 'CN', 2000)
            """;
        foreach (var name in new[] { "$id", "$order", "$tenant", "$number", "$sku" })
        {
            line.Parameters.Add(new SqliteParameter(name, null));
        }
        line.Prepare();
        for (var i = 0; i < rows / 2; i++)
        {
            var id = Guid.CreateVersion7().ToString().ToUpperInvariant();
            order.Parameters["$id"].Value = id;
            order.Parameters["$tenant"].Value = tenant;
            order.Parameters["$reference"].Value = $"B-{i:D7}";
            order.Parameters["$name"].Value = $"Buyer {i}";
            order.Parameters["$email"].Value = $"buyer{i}@example.com";
            order.Parameters["$line1"].Value = $"Hauptstr. {i % 200 + 1}";
            order.Parameters["$postal"].Value = "10115";
            order.Parameters["$total"].Value = 500000L;
            order.Parameters["$weight"].Value = 8000L;
            order.Parameters["$hash"].Value = "h";
            order.Parameters["$now"].Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
            order.ExecuteNonQuery();
            for (var n = 1; n <= 2; n++)
            {
                line.Parameters["$id"].Value = Guid.CreateVersion7().ToString().ToUpperInvariant();
                line.Parameters["$order"].Value = id;
                line.Parameters["$tenant"].Value = tenant;
                line.Parameters["$number"].Value = n;
                line.Parameters["$sku"].Value = $"TS-{n}";
                line.ExecuteNonQuery();
            }
        }
        tx.Commit();
        return watch.Elapsed;
    }

    /// <summary>Two rows per order, realistic values, every column the import takes.</summary>
    private static byte[] Generate(int rows)
    {
        var text = new StringBuilder(rows * 200);
        text.Append("reference,buyer_name,buyer_email,buyer_locale,buyer_time_zone,ship_to_name,ship_to_line1,ship_to_city,ship_to_postal_code,ship_to_country,incoterm,currency,sku,description,quantity,unit_price,hs_code,origin_country,weight_kg\n");
        string[][] places = [["DE", "10115", "Berlin", "de-DE", "Europe/Berlin"], ["GB", "SW1A 1AA", "London", "en-GB", "Europe/London"], ["US", "10001", "New York", "en-US", "America/New_York"], ["FR", "75001", "Paris", "fr-FR", "Europe/Paris"]];
        for (var i = 0; i < rows; i++)
        {
            var order = i / 2;
            var p = places[order % places.Length];
            text.Append(CultureInfo.InvariantCulture,
                $"B-{order:D7},Buyer {order},buyer{order}@example.com,{p[3]},{p[4]},Buyer {order},\"Street {order % 200 + 1}, Apt {order % 7}\",{p[2]},{p[1]},{p[0]},DDP,EUR,TS-{i % 2},Cotton T-shirt,2,12.50,6109.10,CN,0.2\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string TempDirectory() => Path.Combine(Path.GetTempPath(), "waybill-bench", Guid.NewGuid().ToString("N"));
}
