using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Orders;

public abstract class ImportOrdersTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private static readonly string[] Columns = Build.CsvHeader.Split(',');

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_valid_file_creates_one_order_per_reference_with_its_lines_totals_and_line_order()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("A-1", "TS-1", "2", "12.50"),
            Build.CsvRow("B-1", "MUG-1", "1", "8.0001"),
            Build.CsvRow("A-1", "CAP-1", "3", "4.25"));

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(2, 0, 3), result.Value);
        Assert.Equal(2, await db.Orders.CountAsync(Ct));
        Assert.Equal(3, await db.OrderLines.CountAsync(Ct));
        var a = await OrderAsync(db, "A-1");
        Assert.Equal(["TS-1", "CAP-1"], a.Lines.Select(l => l.Sku));
        Assert.Equal([2, 3], a.Lines.Select(l => l.Quantity));
        Assert.Equal([12.5m, 4.25m], a.Lines.Select(l => l.UnitPrice));
        Assert.Equal(37.75m, a.GoodsTotal); // 2 x 12.50 + 3 x 4.25
        Assert.Equal(1m, a.TotalWeightKg); // 5 units x 0.2 kg
        Assert.Equal("EUR", a.Currency);
        Assert.Equal("DDP", a.Incoterm);
        Assert.Equal("created", a.Status);
        Assert.Equal(new BuyerView("Anna Schmidt", "anna@example.com", null, null, null), a.Buyer);
        Assert.Equal(new AddressView("Anna Schmidt", "Hauptstr. 1", null, "Berlin", null, "10115", "DE"), a.ShipTo);
        Assert.Equal(new OrderLineView("TS-1", "Cotton T-shirt", 2, 12.5m, "610910", "CN", 0.2m, [], "hs_default"), a.Lines[0]);
        var b = await OrderAsync(db, "B-1");
        Assert.Equal(8.0001m, Assert.Single(b.Lines).UnitPrice);
        Assert.Equal(8.0001m, b.GoodsTotal);
        var aId = await db.Orders.Where(o => o.Reference == "A-1").Select(o => o.Id).SingleAsync(Ct);
        Assert.Equal([1, 2], await db.OrderLines.Where(l => l.OrderId == aId).OrderBy(l => l.LineNumber).Select(l => l.LineNumber).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_file_with_one_bad_row_among_good_rows_writes_nothing_and_reports_that_row()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("A-1"),
            Build.CsvRow("B-1"),
            Build.CsvRow("C-1", postalCode: "ABCDE"),
            Build.CsvRow("D-1"));

        var error = Assert.Single(RowErrors(result));
        Assert.Equal(4, error.Line);
        Assert.Equal("ship_to_postal_code", error.Column);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
        Assert.Equal(0, await db.OrderLines.CountAsync(Ct));
    }

    [Fact]
    public async Task Every_bad_row_is_reported_with_its_line_and_column()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("OK-1"),
            Build.CsvRow("Q-1", quantity: "0"),
            Build.CsvRow("OK-2"),
            Build.CsvRow("P-1", unitPrice: "-1"),
            Row("H-1", ("hs_code", "61")),
            Row("E-1", ("buyer_email", "anna-at-example.com")),
            Row("C-1", ("currency", "XYZ")),
            Build.CsvRow("Z-1", postalCode: "1"),
            Build.CsvRow("OK-3"));

        Assert.Equal(
            [(3, "quantity"), (5, "unit_price"), (6, "hs_code"), (7, "buyer_email"), (8, "currency"), (9, "ship_to_postal_code")],
            RowErrors(result).Select(e => (e.Line, e.Column)));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task A_bad_row_of_a_multi_row_order_is_reported_on_its_own_line()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("A-1", "TS-1"),
            Build.CsvRow("A-1", "TS-2"),
            Row("A-1", ("sku", "TS-3"), ("weight_kg", "0")),
            Row("A-1", ("sku", "TS-4"), ("origin_country", "")));

        Assert.Equal([(4, "weight_kg"), (5, "origin_country")], RowErrors(result).Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public async Task A_value_that_is_not_a_number_is_reported_once_as_not_a_number_and_not_also_as_required()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("Q-1", quantity: "two"),
            Build.CsvRow("P-1", unitPrice: "\"12,50\""),
            Build.CsvRow("M-1", "TS-1"),
            Build.CsvRow("M-1", "TS-2", unitPrice: "EUR 3"),
            Row("W-1", ("weight_kg", "0.2kg")));

        var errors = RowErrors(result);
        Assert.Equal([(2, "quantity"), (3, "unit_price"), (5, "unit_price"), (6, "weight_kg")], errors.Select(e => (e.Line, e.Column)));
        Assert.All(errors, e => Assert.Contains("not a number", e.Reason, StringComparison.Ordinal));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task Rows_of_one_order_that_disagree_on_an_order_field_are_reported_on_the_disagreeing_row_and_column()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("A-1", "TS-1"),
            Build.CsvRow("B-1", "TS-1"),
            Row("A-1", ("sku", "TS-2"), ("buyer_name", "Bob Meier")),
            Row("A-1", ("sku", "TS-3"), ("currency", "USD")));

        var errors = RowErrors(result);
        Assert.Equal([(4, "buyer_name"), (5, "currency")], errors.Select(e => (e.Line, e.Column)));
        Assert.All(errors, e => Assert.Contains("line 2", e.Reason, StringComparison.Ordinal));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task A_missing_required_column_is_reported_on_line_1_naming_the_column()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var hsCode = Array.IndexOf(Columns, "hs_code");

        var result = await ImportAsync(db, Without(Build.CsvHeader, hsCode), Without(Build.CsvRow("A-1"), hsCode));

        var error = Assert.Single(RowErrors(result));
        Assert.Equal((1, "hs_code"), (error.Line, error.Column));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task Columns_are_matched_by_name_in_any_order()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Reversed(Build.CsvHeader),
            Reversed(Build.CsvRow("A-1", "TS-1", "2", "12.50", "80331")),
            Reversed(Row("A-1", ("sku", "MUG-1"), ("quantity", "1"), ("unit_price", "8"), ("hs_code", "6912.00"), ("ship_to_postal_code", "80331"))));

        Assert.True(result.IsSuccess, Describe(result));
        var order = await OrderAsync(db, "A-1");
        Assert.Equal("80331", order.ShipTo.PostalCode);
        Assert.Equal(33m, order.GoodsTotal);
        Assert.Equal(
            [new OrderLineView("TS-1", "Cotton T-shirt", 2, 12.5m, "610910", "CN", 0.2m, [], "hs_default"), new OrderLineView("MUG-1", "Cotton T-shirt", 1, 8m, "691200", "CN", 0.2m, [], "hs_default")],
            order.Lines);
    }

    [Fact]
    public async Task Header_names_are_matched_ignoring_case_and_surrounding_spaces()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var header = string.Join(',', Columns.Select(c => c == "reference" ? " Reference " : c.ToUpperInvariant()));

        var result = await ImportAsync(db, header, Build.CsvRow("A-1"));

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(1, result.Value.Created);
    }

    [Fact]
    public async Task Optional_columns_are_read_when_present()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader + ",buyer_phone,buyer_locale,buyer_time_zone,ship_to_line2,ship_to_region",
            Build.CsvRow("A-1") + ",+49 30 1234567,de-DE,Europe/Berlin,Hinterhaus 2. OG,Berlin");

        Assert.True(result.IsSuccess, Describe(result));
        var order = await OrderAsync(db, "A-1");
        Assert.Equal(new BuyerView("Anna Schmidt", "anna@example.com", "+49 30 1234567", "de-DE", "Europe/Berlin"), order.Buyer);
        Assert.Equal(new AddressView("Anna Schmidt", "Hauptstr. 1", "Hinterhaus 2. OG", "Berlin", "Berlin", "10115", "DE"), order.ShipTo);
    }

    [Fact]
    public async Task A_shipping_price_column_feeds_each_order_s_provisional_landed_cost()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        await new Waybill.Shipping.AddWarehouse.Handler(db, TimeProvider.System).HandleAsync(Build.Warehouse(), Ct);

        var result = await ImportAsync(db,
            Build.CsvHeader + ",shipping_price",
            Build.CsvRow("A-1") + ",4.90",
            Build.CsvRow("B-1") + ",");

        Assert.True(result.IsSuccess, Describe(result));
        var a = await OrderAsync(db, "A-1");
        Assert.Equal(4.90m, a.ShippingPrice);
        Assert.False(a.LandedCost!.Final);
        Assert.Equal(4.90m, a.LandedCost.Quote.Shipping);
        Assert.Equal("IOSS", a.LandedCost.Quote.Scheme);
        var b = await OrderAsync(db, "B-1");
        Assert.Null(b.ShippingPrice);
        Assert.Equal(0m, b.LandedCost!.Quote.Shipping);
    }

    [Fact]
    public async Task A_file_with_an_order_the_destination_refuses_writes_nothing_and_names_the_row()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        await new Waybill.Shipping.AddWarehouse.Handler(db, TimeProvider.System).HandleAsync(Build.Warehouse(), Ct);

        var result = await ImportAsync(db,
            Build.CsvHeader + ",shipping_price",
            Build.CsvRow("A-1") + ",4.90",
            Build.CsvRow("B-1", country: "KP", postalCode: "") + ",1",
            Build.CsvRow("C-1") + ",abc");

        Assert.Equal([(3, "ship_to_country"), (4, "shipping_price")], RowErrors(result).Select(e => (e.Line, e.Column)).Order());
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task A_bad_optional_value_is_reported_under_its_column()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader + ",buyer_locale,buyer_time_zone",
            Build.CsvRow("A-1") + ",de-DE,Europe/Berlin",
            Build.CsvRow("B-1") + ",de-DE,Mars/Olympus_Mons",
            Build.CsvRow("C-1") + ",not a locale,Europe/Berlin");

        Assert.Equal([(3, "buyer_time_zone"), (4, "buyer_locale")], RowErrors(result).Select(e => (e.Line, e.Column)));
    }

    // Product bug: ImportOrders' own check for a repeated column never runs: Sep's reader throws ArgumentException
    // ("Col name 'sku' found 2 times") while reading the header, and only InvalidDataException is caught.
    [Fact]
    public async Task A_column_named_twice_in_the_header_is_reported_on_line_1()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db, Build.CsvHeader + ",sku", Build.CsvRow("A-1") + ",TS-9");

        Assert.Equal([(1, "sku")], RowErrors(result).Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public async Task A_row_with_the_wrong_number_of_fields_is_reported_on_its_line()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("A-1"),
            Build.CsvRow("B-1") + ",extra",
            "C-1,Anna Schmidt,anna@example.com");

        Assert.Equal([3, 4], RowErrors(result).Select(e => e.Line));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task Blank_lines_are_skipped_and_not_counted_as_rows()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db, Build.CsvHeader, Build.CsvRow("A-1"), "", Build.CsvRow("B-1"), "");

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(2, 0, 2), result.Value);
    }

    [Fact]
    public async Task Rows_after_a_blank_line_keep_their_physical_line_number()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportAsync(db, Build.CsvHeader, Build.CsvRow("A-1"), "", "", Build.CsvRow("B-1", quantity: "0"));

        Assert.Equal([(5, "quantity")], RowErrors(result).Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public async Task Importing_the_same_file_again_creates_nothing_and_skips_every_order()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        string[] file =
        [
            Build.CsvHeader,
            Build.CsvRow("A-1", "TS-1"),
            Build.CsvRow("A-1", "TS-2"),
            Build.CsvRow("B-1"),
            Build.CsvRow("C-1"),
        ];
        var first = await ImportAsync(db, file);
        Assert.True(first.IsSuccess, Describe(first));
        var ids = await db.Orders.OrderBy(o => o.Reference).Select(o => o.Id).ToListAsync(Ct);

        var second = await ImportAsync(db, file);

        Assert.True(second.IsSuccess, Describe(second));
        Assert.Equal(new ImportOrders.Response(0, 3, 4), second.Value);
        Assert.Equal(ids, await db.Orders.OrderBy(o => o.Reference).Select(o => o.Id).ToListAsync(Ct));
        Assert.Equal(4, await db.OrderLines.CountAsync(Ct));
    }

    [Fact]
    public async Task Amounts_written_differently_are_the_same_content_and_are_skipped()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        Assert.True((await ImportAsync(db, Build.CsvHeader, Build.CsvRow("A-1", quantity: "2", unitPrice: "12.50"))).IsSuccess);

        var again = await ImportAsync(db, Build.CsvHeader, Row("A-1", ("quantity", "2.0"), ("unit_price", "12.5000"), ("weight_kg", "0.200")));

        Assert.True(again.IsSuccess, Describe(again));
        Assert.Equal(new ImportOrders.Response(0, 1, 1), again.Value);
    }

    [Fact]
    public async Task A_file_mixing_new_and_already_imported_orders_creates_the_new_and_skips_the_rest()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        Assert.True((await ImportAsync(db, Build.CsvHeader, Build.CsvRow("A-1"))).IsSuccess);

        var result = await ImportAsync(db, Build.CsvHeader, Build.CsvRow("A-1"), Build.CsvRow("B-1"));

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(1, 1, 2), result.Value);
        Assert.Equal(["A-1", "B-1"], await db.Orders.OrderBy(o => o.Reference).Select(o => o.Reference).ToListAsync(Ct));
    }

    [Fact]
    public async Task An_order_created_through_the_api_is_skipped_when_the_file_holds_the_same_content()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var created = await new CreateOrder.Handler(db, TimeProvider.System).HandleAsync(Build.Order("API-1"), Ct);
        Assert.True(created.IsSuccess, created.Error?.Message);

        var result = await ImportAsync(db,
            Build.CsvHeader + ",buyer_phone,buyer_locale,buyer_time_zone",
            Build.CsvRow("API-1") + ",+49 30 1234567,de-DE,Europe/Berlin");

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(0, 1, 1), result.Value);
    }

    [Fact]
    public async Task An_existing_reference_with_different_content_is_reported_on_its_line_and_nothing_is_written()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        Assert.True((await ImportAsync(db, Build.CsvHeader, Build.CsvRow("A-1", quantity: "2"))).IsSuccess);

        var result = await ImportAsync(db,
            Build.CsvHeader,
            Build.CsvRow("B-1"),
            Build.CsvRow("A-1", quantity: "3"),
            Build.CsvRow("C-1"));

        var error = Assert.Single(RowErrors(result));
        Assert.Equal((3, "reference"), (error.Line, error.Column));
        Assert.Contains("A-1", error.Reason, StringComparison.Ordinal);
        Assert.Equal(["A-1"], await db.Orders.Select(o => o.Reference).ToListAsync(Ct));
        Assert.Equal(2, (await OrderAsync(db, "A-1")).Lines[0].Quantity);
    }

    [Fact]
    public async Task A_quoted_field_with_a_comma_a_quote_and_a_newline_is_read_as_one_field()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var description = Array.IndexOf(Columns, "description");
        var row = Build.CsvRow("A-1").Split(',');
        row[description] = "\"Mug, \"\"large\"\"\"";

        var result = await ImportTextAsync(db,
            Build.CsvHeader + ",notes\n" +
            string.Join(',', row) + ",\"leave at the door,\nring \"\"twice\"\"\"\n" +
            Build.CsvRow("B-1") + ",\n");

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(2, 0, 2), result.Value);
        Assert.Equal("Mug, \"large\"", Assert.Single((await OrderAsync(db, "A-1")).Lines).Description);
        Assert.Equal("Cotton T-shirt", Assert.Single((await OrderAsync(db, "B-1")).Lines).Description);
    }

    [Fact]
    public async Task Rows_after_a_multi_line_field_are_reported_on_their_physical_line()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportTextAsync(db,
            Build.CsvHeader + ",notes\n" +                              // line 1
            Build.CsvRow("A-1") + ",\"first line\nsecond line\n\"\n" +  // lines 2-4
            Build.CsvRow("B-1", postalCode: "X") + ",\n" +              // line 5
            Build.CsvRow("C-1") + ",\"one\r\ntwo\"\n" +                 // lines 6-7
            Build.CsvRow("D-1", quantity: "-1") + ",\n");               // line 8

        Assert.Equal([(5, "ship_to_postal_code"), (8, "quantity")], RowErrors(result).Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public async Task A_newline_inside_a_description_is_refused_on_the_line_where_the_row_starts()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var description = Array.IndexOf(Columns, "description");
        var row = Build.CsvRow("A-1").Split(',');
        row[description] = "\"Cotton\nT-shirt\"";

        var result = await ImportTextAsync(db, Build.CsvHeader + "\n" + string.Join(',', row) + "\n" + Build.CsvRow("B-1", quantity: "x") + "\n");

        Assert.Equal([(2, "description"), (4, "quantity")], RowErrors(result).Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public async Task An_empty_file_is_reported_on_line_1()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportBytesAsync(db, []);

        var error = Assert.Single(RowErrors(result));
        Assert.Equal(1, error.Line);
        Assert.Contains("empty", error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("")]
    public async Task A_file_with_only_a_header_succeeds_and_creates_nothing(string ending)
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportTextAsync(db, Build.CsvHeader + ending);

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(0, 0, 0), result.Value);
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task Invalid_utf8_is_reported_as_an_error_and_not_thrown()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var bytes = Encoding.UTF8.GetBytes(Build.CsvHeader + "\n" + Build.CsvRow("A-1") + "\n" + Build.CsvRow("B-1", sku: "TS-\u00e9") + "\n");
        var e = Array.IndexOf(bytes, (byte)0xC3);
        bytes[e] = 0xFF; // not a UTF-8 lead byte

        var result = await ImportBytesAsync(db, bytes);

        Assert.NotEmpty(RowErrors(result));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    // Product bug: a bad byte is reported on line 1 as "The header cannot be read" when it lies within the first
    // buffer the reader fills, and on line 0 (not a line of the file) after that, never on the line that holds it.
    [Theory]
    [InlineData(1)]
    [InlineData(3000)]
    public async Task Invalid_utf8_is_reported_on_the_line_that_holds_it(int goodRowsBefore)
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var lines = new List<string> { Build.CsvHeader };
        for (var i = 0; i < goodRowsBefore; i++)
        {
            lines.Add(Build.CsvRow($"R-{i:D5}"));
        }
        lines.Add(Build.CsvRow("BAD", sku: "TS-\u00e9"));
        lines.Add(Build.CsvRow("AFTER"));
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        bytes[Array.IndexOf(bytes, (byte)0xC3)] = 0xFF;

        var result = await ImportBytesAsync(db, bytes);

        var error = Assert.Single(RowErrors(result));
        Assert.Equal(goodRowsBefore + 2, error.Line);
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task An_unterminated_quote_is_reported_as_an_error_and_not_thrown()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportTextAsync(db, Build.CsvHeader + "\n" + Build.CsvRow("A-1") + "\n" + Row("B-1", ("description", "\"Cotton T-shirt")) + "\n");

        Assert.Equal([3], RowErrors(result).Select(e => e.Line));
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_at_the_start_is_accepted()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        byte[] bytes = [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(Build.CsvHeader + "\n" + Build.CsvRow("A-1") + "\n")];

        var result = await ImportBytesAsync(db, bytes);

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(["A-1"], await db.Orders.Select(o => o.Reference).ToListAsync(Ct));
    }

    [Fact]
    public async Task Crlf_line_endings_are_accepted()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportTextAsync(db, string.Join("\r\n", Build.CsvHeader, Build.CsvRow("A-1"), Build.CsvRow("A-1", "MUG-1")) + "\r\n");

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(1, 0, 2), result.Value);
        var order = await OrderAsync(db, "A-1");
        Assert.Equal(["TS-1", "MUG-1"], order.Lines.Select(l => l.Sku));
        Assert.Equal(0.2m, order.Lines[1].WeightKg); // the last column carries no stray '\r'
    }

    [Fact]
    public async Task Crlf_line_endings_count_as_one_line_each()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await ImportTextAsync(db, string.Join("\r\n",
            Build.CsvHeader, Build.CsvRow("A-1"), Build.CsvRow("B-1"), Build.CsvRow("C-1", quantity: "0"), Build.CsvRow("D-1")) + "\r\n");

        Assert.Equal([(4, "quantity")], RowErrors(result).Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public async Task An_import_into_one_tenant_is_invisible_to_another_which_may_import_the_same_references()
    {
        var (a, _, _) = await database.NewTenantAsync();
        var (b, _, _) = await database.NewTenantAsync();
        await using var _a = a;
        await using var _b = b;
        string[] file = [Build.CsvHeader, Build.CsvRow("A-1"), Build.CsvRow("A-1", "MUG-1"), Build.CsvRow("B-1")];

        var intoA = await ImportAsync(a, file);
        var countInB = await b.Orders.CountAsync(Ct);
        var linesInB = await b.OrderLines.CountAsync(Ct);
        var intoB = await ImportAsync(b, file);

        Assert.Equal(new ImportOrders.Response(2, 0, 3), intoA.Value);
        Assert.Equal(0, countInB);
        Assert.Equal(0, linesInB);
        Assert.Equal(new ImportOrders.Response(2, 0, 3), intoB.Value);
        Assert.Equal(2, await a.Orders.CountAsync(Ct));
        Assert.Equal(3, await a.OrderLines.CountAsync(Ct));
        Assert.Equal(3, await b.OrderLines.CountAsync(Ct));
        var idsInA = await a.Orders.Select(o => o.Id).ToListAsync(Ct);
        var idsInB = await b.Orders.Select(o => o.Id).ToListAsync(Ct);
        Assert.Empty(idsInA.Intersect(idsInB));
    }

    [Fact]
    public async Task A_big_file_imports_completely_with_every_line()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        // 1,025 orders and 2,050 lines: several full insert batches and a partial last one.
        const int orders = 1025;
        var lines = new List<string>(2 * orders + 1) { Build.CsvHeader };
        for (var i = 0; i < orders; i++)
        {
            lines.Add(Build.CsvRow($"BIG-{i:D5}", "TS-1", "1", "10"));
            lines.Add(Build.CsvRow($"BIG-{i:D5}", "TS-2", "2", (i % 100).ToString(CultureInfo.InvariantCulture) + ".25"));
        }

        var result = await ImportAsync(db, [.. lines]);

        Assert.True(result.IsSuccess, Describe(result));
        Assert.Equal(new ImportOrders.Response(orders, 0, 2 * orders), result.Value);
        Assert.Equal(orders, await db.Orders.CountAsync(Ct));
        Assert.Equal(2 * orders, await db.OrderLines.CountAsync(Ct));
        var expected = Enumerable.Range(0, orders).Sum(i => 10m + 2 * ((i % 100) + 0.25m));
        Assert.Equal(expected, await db.Orders.SumAsync(o => o.GoodsTotal, Ct));
        Assert.Equal(2 * orders, await db.OrderLines.Where(l => l.LineNumber == 1 || l.LineNumber == 2).CountAsync(Ct));
        var last = await OrderAsync(db, $"BIG-{orders - 1:D5}");
        Assert.Equal(["TS-1", "TS-2"], last.Lines.Select(l => l.Sku));
        Assert.Equal(10m + (2 * 24.25m), last.GoodsTotal);
    }

    [Fact]
    public async Task More_than_a_thousand_errors_are_capped_and_the_message_gives_the_full_count()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var lines = new List<string> { Build.CsvHeader };
        for (var i = 0; i < 1200; i++)
        {
            lines.Add(Build.CsvRow($"R-{i}", quantity: "0"));
        }

        var result = await ImportAsync(db, [.. lines]);

        var errors = RowErrors(result);
        Assert.Equal(1000, errors.Count);
        Assert.Equal(Enumerable.Range(2, 1000), errors.Select(e => e.Line));
        Assert.Contains("1200", result.Error!.Message, StringComparison.Ordinal);
    }

    // Product bug: validation accepts a unit price up to 1,000,000,000 and a quantity up to 1,000,000, but their
    // product (1e15) fits neither PostgreSQL numeric(19,4) nor SQLite's scaled long: the write throws.
    [Fact]
    public async Task An_order_whose_goods_total_storage_cannot_hold_is_reported_and_not_thrown()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var thrown = await Record.ExceptionAsync(() => ImportAsync(db, Build.CsvHeader, Build.CsvRow("HUGE-1", quantity: "1000000", unitPrice: "1000000000")));

        Assert.Null(thrown);
        Assert.Equal(0, await db.Orders.CountAsync(Ct));
    }

    private static Task<Result<ImportOrders.Response>> ImportAsync(WaybillDb db, params string[] lines) =>
        ImportStreamAsync(db, Build.Csv(lines));

    private static Task<Result<ImportOrders.Response>> ImportTextAsync(WaybillDb db, string text) =>
        ImportBytesAsync(db, Encoding.UTF8.GetBytes(text));

    private static Task<Result<ImportOrders.Response>> ImportBytesAsync(WaybillDb db, byte[] bytes) =>
        ImportStreamAsync(db, new MemoryStream(bytes));

    private static async Task<Result<ImportOrders.Response>> ImportStreamAsync(WaybillDb db, MemoryStream csv)
    {
        await using (csv)
        {
            return await new ImportOrders.Handler(db, TimeProvider.System).HandleAsync(csv, progress: null, Ct);
        }
    }

    private static IReadOnlyList<ImportOrders.RowError> RowErrors(Result<ImportOrders.Response> result)
    {
        Assert.False(result.IsSuccess, "The import succeeded but should have failed.");
        Assert.Equal("orders.import_invalid", result.Error!.Code);
        Assert.Equal(ErrorKind.Validation, result.Error.Kind);
        return Assert.IsAssignableFrom<IReadOnlyList<ImportOrders.RowError>>(result.Error.Details);
    }

    private static string Describe(Result<ImportOrders.Response> result) =>
        result.IsSuccess
            ? "success"
            : $"{result.Error!.Code}: {result.Error.Message} " + string.Join("; ",
                (result.Error.Details as IEnumerable<ImportOrders.RowError> ?? []).Select(e => $"line {e.Line} {e.Column}: {e.Reason}"));

    private static async Task<OrderView> OrderAsync(WaybillDb db, string reference)
    {
        var id = await db.Orders.Where(o => o.Reference == reference).Select(o => o.Id).SingleAsync(Ct);
        var order = await new GetOrder.Handler(db).HandleAsync(id, Ct);
        Assert.True(order.IsSuccess, order.Error?.Message);
        return order.Value;
    }

    /// <summary>A valid row (<see cref="Build.CsvRow"/>) with some cells replaced, by column name.</summary>
    private static string Row(string reference, params (string Column, string Value)[] cells)
    {
        var row = Build.CsvRow(reference).Split(',');
        foreach (var (column, value) in cells)
        {
            var i = Array.IndexOf(Columns, column);
            Assert.True(i >= 0, $"No column {column} in Build.CsvHeader.");
            row[i] = value;
        }
        return string.Join(',', row);
    }

    private static string Without(string line, int index) =>
        string.Join(',', line.Split(',').Where((_, i) => i != index));

    private static string Reversed(string line) => string.Join(',', Enumerable.Reverse(line.Split(',')));
}

public sealed class ImportOrdersTestsOnSqlite(SqliteDatabase database) : ImportOrdersTests<SqliteDatabase>(database);

public sealed class ImportOrdersTestsOnPostgres(PostgresDatabase database) : ImportOrdersTests<PostgresDatabase>(database);
