using System.Net;
using System.Text;
using Waybill.Server.Tests.Support;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>
/// GET /v1/shipments/{id}/customs-declaration: the PDF read back with poppler's pdftotext (skipped, saying so, where it
/// is missing; CI installs it).
/// </summary>
public abstract class CustomsDeclarationApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static bool HasPdfToText => Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, "pdftotext")));

    private static async Task<string> TextOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var file = Path.Combine(Path.GetTempPath(), $"declaration-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf, TestContext.Current.CancellationToken);
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("pdftotext", ["-layout", file, "-"]) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        File.Delete(file);
        return text;
    }

    private static async Task<string> BookAsync(HttpClient client, string reference, string? strategy, decimal unitPrice = 12.5m, string? serviceId = null)
    {
        var order = await (await client.PostJsonAsync("/v1/orders", Build.Order(reference, lines: [Build.Line(unitPrice: unitPrice)]))).JsonAsync();
        var booked = await client.PostJsonAsync($"/v1/orders/{order.GetProperty("id").GetString()}/shipments", new BookingInput(strategy, serviceId));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        return (await booked.JsonAsync()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_postal_shipment_to_the_eu_declares_its_contents_on_a_cn_form_with_the_ioss_number()
    {
        Assert.SkipUnless(HasPdfToText, "pdftotext is missing: apt-get install poppler-utils");
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        await client.PatchAsync("/v1/settings", new StringContent("""{"schemes": {"IOSS": {"number": "IM2760000001"}}}""", Encoding.UTF8, "application/merge-patch+json"), TestContext.Current.CancellationToken);
        var shipment = await BookAsync(client, "DECL-1", null, serviceId: "sbx-post-cn-packet-tracked");

        var text = await TextOfAsync(await client.GetAsync($"/v1/shipments/{shipment}/customs-declaration", TestContext.Current.CancellationToken));

        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(text, "CUSTOMS DECLARATION CN 2[23]"), text);
        Assert.Contains("Cotton T-shirt", text, StringComparison.Ordinal);
        Assert.Contains("6109.10", text, StringComparison.Ordinal);
        Assert.Contains("25.00", text, StringComparison.Ordinal); // 2 x 12.50 EUR
        Assert.Contains("Anna Schmidt", text, StringComparison.Ordinal);
        Assert.Contains("GERMANY", text, StringComparison.Ordinal);
        Assert.Contains("IOSS VAT identification number: IM2760000001", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_express_shipment_has_a_commercial_invoice_and_no_ioss_number_above_eur_150_or_without_one()
    {
        Assert.SkipUnless(HasPdfToText, "pdftotext is missing: apt-get install poppler-utils");
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        var withoutNumber = await BookAsync(client, "DECL-2", "fastest");
        // Registered for IOSS by default, but with no number yet: nothing to print.
        var invoice = await TextOfAsync(await client.GetAsync($"/v1/shipments/{withoutNumber}/customs-declaration", TestContext.Current.CancellationToken));
        await client.PatchAsync("/v1/settings", new StringContent("""{"schemes": {"IOSS": {"number": "IM2760000001"}}}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var aboveCeiling = await BookAsync(client, "DECL-3", "fastest", unitPrice: 100m);

        var expensive = await TextOfAsync(await client.GetAsync($"/v1/shipments/{aboveCeiling}/customs-declaration", TestContext.Current.CancellationToken));

        Assert.Contains("COMMERCIAL INVOICE", invoice, StringComparison.Ordinal);
        Assert.Contains("DDP", invoice, StringComparison.Ordinal);
        Assert.DoesNotContain("IOSS", invoice, StringComparison.Ordinal);
        Assert.Contains("200.00", expensive, StringComparison.Ordinal);
        Assert.DoesNotContain("IOSS", expensive, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shipment_not_booked_through_waybill_or_unknown_has_no_declaration()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var registered = await (await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { carrier = "s10", trackingNumber = "RR473124829GB" } } })).JsonAsync();

        var notBooked = await client.GetAsync($"/v1/shipments/{registered.GetProperty("id").GetString()}/customs-declaration", TestContext.Current.CancellationToken);
        var unknown = await client.GetAsync($"/v1/shipments/{Guid.NewGuid()}/customs-declaration", TestContext.Current.CancellationToken);
        var malformed = await client.GetAsync("/v1/shipments/not-an-id/customs-declaration", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, notBooked.StatusCode);
        Assert.Equal("shipping.not_booked", (await notBooked.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
    }
}

public sealed class CustomsDeclarationApiTestsOnSqlite(SqliteApp app) : CustomsDeclarationApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class CustomsDeclarationApiTestsOnPostgres(PostgresApp app) : CustomsDeclarationApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
