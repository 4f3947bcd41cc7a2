using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.EntityFrameworkCore;
using nietras.SeparatedValues;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Orders;

/// <summary>
/// Imports orders from CSV (RFC 4180, UTF-8, header required, one row per order line; rows with the same
/// reference form one order). All or nothing: any bad row writes nothing and every bad row is reported.
/// </summary>
public static class ImportOrders
{
    public static readonly string[] RequiredColumns =
    [
        "reference", "buyer_name", "buyer_email", "ship_to_name", "ship_to_line1", "ship_to_city",
        "ship_to_postal_code", "ship_to_country", "incoterm", "currency", "sku", "description", "quantity",
        "unit_price", "hs_code", "origin_country", "weight_kg",
    ];

    public static readonly string[] OptionalColumns =
        ["buyer_phone", "buyer_locale", "buyer_time_zone", "ship_to_line2", "ship_to_region", "dangerous_goods", "shipping_price"];

    /// <summary>Order-level columns: every row of one reference must agree on them.</summary>
    private static readonly string[] OrderColumns =
    [
        "buyer_name", "buyer_email", "buyer_phone", "buyer_locale", "buyer_time_zone", "ship_to_name", "ship_to_line1",
        "ship_to_line2", "ship_to_city", "ship_to_region", "ship_to_postal_code", "ship_to_country", "incoterm", "currency", "shipping_price",
    ];

    private static readonly Dictionary<string, string> ColumnOfField = new(StringComparer.Ordinal)
    {
        ["reference"] = "reference",
        ["buyer"] = "buyer_name",
        ["buyer.name"] = "buyer_name",
        ["buyer.email"] = "buyer_email",
        ["buyer.phone"] = "buyer_phone",
        ["buyer.locale"] = "buyer_locale",
        ["buyer.timeZone"] = "buyer_time_zone",
        ["shipTo"] = "ship_to_name",
        ["shipTo.name"] = "ship_to_name",
        ["shipTo.line1"] = "ship_to_line1",
        ["shipTo.line2"] = "ship_to_line2",
        ["shipTo.city"] = "ship_to_city",
        ["shipTo.region"] = "ship_to_region",
        ["shipTo.postalCode"] = "ship_to_postal_code",
        ["shipTo.country"] = "ship_to_country",
        ["incoterm"] = "incoterm",
        ["currency"] = "currency",
        ["lines"] = "sku",
        ["sku"] = "sku",
        ["description"] = "description",
        ["quantity"] = "quantity",
        ["unitPrice"] = "unit_price",
        ["hsCode"] = "hs_code",
        ["originCountry"] = "origin_country",
        ["weightKg"] = "weight_kg",
        ["dangerousGoods"] = "dangerous_goods",
        ["shippingPrice"] = "shipping_price",
    };

    /// <summary>One bad cell: physical line number (header = line 1), column name, reason.</summary>
    public sealed record RowError(int Line, string Column, string Reason);

    public sealed record Response(int Created, int Skipped, int Lines);

    public enum Phase
    {
        Reading,
        Writing,
    }

    /// <summary>Progress: while reading, bytes read of <see cref="Total"/>; while writing, orders written of the total.</summary>
    public readonly record struct Progress(Phase Phase, long Done, long Total);

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        private const int MaxErrors = 1000;

        /// <summary>Reads the whole CSV; on any error returns every bad row and writes nothing.</summary>
        public async Task<Result<Response>> HandleAsync(Stream csv, IProgress<Progress>? progress, CancellationToken ct)
        {
            var errors = new List<RowError>();
            var groups = Read(await LoadAsync(csv, progress, ct), errors, ct);
            if (groups is null)
            {
                return Fail(errors);
            }

            var valid = new List<(ValidOrder Order, Group Group)>(groups.Count);
            foreach (var group in groups.Values)
            {
                var validation = new ValidationErrors();
                var order = ValidateOrder.Validate(group.ToInput(), validation);
                if (order is null)
                {
                    foreach (var (field, reason) in validation.All())
                    {
                        if (!group.HasParseError(field))
                        {
                            errors.Add(group.ErrorAt(field, reason));
                        }
                    }
                }
                else if (ValidateOrder.UnknownHsCodes(order) is { IsEmpty: false } unknown)
                {
                    errors.AddRange(unknown.All().Select(u => group.ErrorAt(u.Field, u.Reason)));
                }
                else
                {
                    valid.Add((order, group));
                }
                errors.AddRange(group.ParseErrors);
            }

            var existing = await CreateOrders.ExistingAsync(db, valid.Select(v => v.Order.Reference), ct);
            var toCreate = new List<ValidOrder>(valid.Count);
            var skipped = 0;
            foreach (var (order, group) in valid)
            {
                if (!existing.TryGetValue(order.Reference, out var hash))
                {
                    toCreate.Add(order);
                }
                else if (hash == order.ContentHash)
                {
                    skipped++;
                }
                else
                {
                    errors.Add(new RowError(group.FirstLine, "reference",
                        $"An order with reference '{order.Reference}' already exists with different content."));
                }
            }
            var now = clock.UtcNow();
            var orders = toCreate.Select(o => Order.Create(db.TenantId, o, now)).ToList();
            // The destination refuses some goods, or every parcel: the file is refused, naming the order's first line
            // (reported with the file's other errors).
            var refusals = await new CreateOrders.Landing(db).PriceAsync(orders, now, ct);
            for (var i = 0; i < orders.Count; i++)
            {
                if (refusals[i] is { } refused)
                {
                    var group = valid.First(v => v.Order.Reference == orders[i].Reference).Group;
                    var field = refused.Errors?.Keys.FirstOrDefault() ?? "shipTo.country";
                    errors.Add(group.ErrorAt(field, refused.Message));
                }
            }
            if (errors.Count > 0)
            {
                return Fail(errors);
            }
            progress?.Report(new Progress(Phase.Writing, 0, orders.Count));
            // Inside a caller's transaction (an Idempotency-Key request) a savepoint keeps that transaction usable.
            var outer = db.Database.CurrentTransaction;
            await using var own = outer is null ? await db.Database.BeginTransactionAsync(ct) : null;
            if (outer is not null)
            {
                await outer.CreateSavepointAsync("import_orders", ct);
            }
            try
            {
                await BulkWriter.InsertAsync(db, orders, n => progress?.Report(new Progress(Phase.Writing, n, orders.Count)), ct);
                await BulkWriter.InsertAsync(db, orders.SelectMany(o => o.Lines), null, ct);
                if (own is not null)
                {
                    await own.CommitAsync(ct);
                }
            }
            catch (Exception ex) when (db.IsUniqueViolation(ex))
            {
                if (own is not null)
                {
                    await own.RollbackAsync(CancellationToken.None);
                }
                else
                {
                    await outer!.RollbackToSavepointAsync("import_orders", CancellationToken.None);
                }
                return Error.Conflict("orders.import_conflict",
                    "Another write created some of these references while the file was imported; nothing was written. Import the file again.");
            }
            return new Response(orders.Count, skipped, groups.Values.Sum(g => g.Rows.Count));
        }

        private static Error Fail(List<RowError> errors)
        {
            errors.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : string.CompareOrdinal(a.Column, b.Column));
            var report = errors.Take(MaxErrors).ToList();
            return new Error(ErrorKind.Validation, "orders.import_invalid",
                $"The file has {errors.Count} error(s); nothing was imported." + (errors.Count > MaxErrors ? $" The first {MaxErrors} are listed." : ""),
                null)
            {
                Details = report,
            };
        }
    }

    /// <summary>Reads the whole input (files are read in full: validation needs every row before anything is written).</summary>
    private static async Task<byte[]> LoadAsync(Stream csv, IProgress<Progress>? progress, CancellationToken ct)
    {
        var total = csv.CanSeek ? csv.Length - csv.Position : -1;
        using var buffer = total >= 0 ? new MemoryStream(checked((int)total)) : new MemoryStream();
        var chunk = new byte[1 << 20];
        int read;
        while ((read = await csv.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            progress?.Report(new Progress(Phase.Reading, buffer.Length, Math.Max(total, buffer.Length)));
        }
        return buffer.ToArray();
    }

    private static Dictionary<string, Group>? Read(byte[] bytes, List<RowError> errors, CancellationToken ct)
    {
        var content = bytes.AsSpan();
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }
        if (!Utf8.IsValid(content))
        {
            var at = FirstInvalidUtf8(content);
            var line = 1 + content[..at].Count((byte)'\n');
            errors.Add(new RowError(line, "", $"The file is not valid UTF-8 (byte {at + 1} of the file); save it as UTF-8 and import it again."));
            return null;
        }
        if (content.IsEmpty)
        {
            errors.Add(new RowError(1, "", "The file is empty: a header line is required."));
            return null;
        }
        using var reader = Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true })
            .FromText(Encoding.UTF8.GetString(content));
        if (!reader.MoveNext())
        {
            errors.Add(new RowError(1, "", "The file is empty: a header line is required."));
            return null;
        }
        var header = reader.Current;
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.ColCount; i++)
        {
            var name = header[i].ToString().Trim().ToLowerInvariant();
            if (name.Length > 0 && !columns.TryAdd(name, i))
            {
                errors.Add(new RowError(1, name, "The column appears twice in the header."));
            }
        }
        foreach (var required in RequiredColumns.Where(c => !columns.ContainsKey(c)))
        {
            errors.Add(new RowError(1, required, "A required column is missing from the header."));
        }
        if (errors.Count > 0)
        {
            return null;
        }
        var index = RequiredColumns.Concat(OptionalColumns)
            .ToDictionary(c => c, c => columns.GetValueOrDefault(c, -1), StringComparer.Ordinal);
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        var expected = header.ColCount;
        try
        {
            foreach (var row in reader)
            {
                ct.ThrowIfCancellationRequested();
                var line = row.LineNumberFrom;
                if (row.ColCount != expected)
                {
                    if (row.ColCount == 1 && row[0].Span.IsWhiteSpace())
                    {
                        continue; // a blank line
                    }
                    errors.Add(new RowError(line, "", $"The row has {row.ColCount} fields; the header has {expected}."));
                    continue;
                }
                var cells = new Dictionary<string, string?>(index.Count, StringComparer.Ordinal);
                foreach (var (name, i) in index)
                {
                    cells[name] = i < 0 ? null : row[i].ToString();
                }
                var reference = cells["reference"]?.Trim() ?? "";
                if (reference.Length == 0)
                {
                    errors.Add(new RowError(line, "reference", "This field is required."));
                    continue;
                }
                if (!groups.TryGetValue(reference, out var group))
                {
                    group = new Group(reference);
                    groups[reference] = group;
                }
                else
                {
                    foreach (var column in OrderColumns)
                    {
                        if (!string.Equals(cells[column]?.Trim() ?? "", group.First[column]?.Trim() ?? "", StringComparison.Ordinal))
                        {
                            errors.Add(new RowError(line, column,
                                $"Differs from line {group.FirstLine}: rows of order '{reference}' must agree on order fields."));
                        }
                    }
                }
                group.Add(line, cells);
            }
        }
        catch (InvalidDataException ex)
        {
            errors.Add(new RowError(1 + content.Count((byte)'\n'), "", $"The file ends inside a quoted field or is not CSV: {ex.Message}"));
        }
        return errors.Count > 0 ? null : groups;
    }

    /// <summary>The rows of one reference.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> content)
    {
        var at = 0;
        while (at < content.Length)
        {
            if (Rune.DecodeFromUtf8(content[at..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return at;
            }
            at += consumed;
        }
        return at;
    }

    private sealed class Group(string reference)
    {
        private readonly HashSet<string> _badFields = new(StringComparer.Ordinal);

        public string Reference { get; } = reference;

        public int FirstLine => Rows[0].Line;

        public Dictionary<string, string?> First => Rows[0].Cells;

        public List<(int Line, Dictionary<string, string?> Cells)> Rows { get; } = [];

        public List<RowError> ParseErrors { get; } = [];

        public void Add(int line, Dictionary<string, string?> cells) => Rows.Add((line, cells));

        public bool HasParseError(string field) => _badFields.Contains(field);

        /// <summary>
        /// The <c>dangerous_goods</c> cell: empty (or no column) leaves the HS code's default, <c>none</c> declares
        /// none, else values separated by <c>;</c> or <c>|</c>.
        /// </summary>
        private static string?[]? DangerousGoodsOf(string? cell) =>
            string.IsNullOrWhiteSpace(cell) ? null
            : cell.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? []
            : cell.Split([';', '|'], StringSplitOptions.TrimEntries);

        public OrderInput ToInput()
        {
            var f = First;
            var lines = new List<OrderLineInput>(Rows.Count);
            for (var i = 0; i < Rows.Count; i++)
            {
                var (line, cells) = Rows[i];
                lines.Add(new OrderLineInput(
                    cells["sku"],
                    cells["description"],
                    Number(i, line, cells, "quantity", "quantity"),
                    Number(i, line, cells, "unit_price", "unitPrice"),
                    cells["hs_code"],
                    cells["origin_country"],
                    Number(i, line, cells, "weight_kg", "weightKg"),
                    DangerousGoodsOf(cells["dangerous_goods"])));
            }
            return new OrderInput(
                Reference,
                new BuyerInput(f["buyer_name"], f["buyer_email"], f["buyer_phone"], f["buyer_locale"], f["buyer_time_zone"]),
                new AddressInput(f["ship_to_name"], f["ship_to_line1"], f["ship_to_line2"], f["ship_to_city"], f["ship_to_region"], f["ship_to_postal_code"], f["ship_to_country"]),
                f["incoterm"],
                f["currency"],
                lines,
                ShippingPrice: ShippingPrice(f));
        }

        private decimal? ShippingPrice(Dictionary<string, string?> first)
        {
            var text = first["shipping_price"]?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }
            if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            _badFields.Add("shippingPrice");
            ParseErrors.Add(new RowError(Rows[0].Line, "shipping_price", $"'{text}' is not an amount (use a dot for decimals: 4.90)."));
            return null;
        }

        private decimal? Number(int index, int line, Dictionary<string, string?> cells, string column, string field)
        {
            var text = cells[column]?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }
            if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            _badFields.Add($"lines[{index}].{field}");
            ParseErrors.Add(new RowError(line, column, $"'{text}' is not a number (use a dot for decimals: 12.50)."));
            return null;
        }

        /// <summary>Maps a validation field path back to the physical line and CSV column it came from.</summary>
        public RowError ErrorAt(string field, string reason)
        {
            if (field.StartsWith("lines[", StringComparison.Ordinal))
            {
                var close = field.IndexOf(']', StringComparison.Ordinal);
                var i = int.Parse(field.AsSpan(6, close - 6), CultureInfo.InvariantCulture);
                var rest = close + 2 <= field.Length ? field[(close + 2)..] : "";
                return new RowError(Rows[i].Line, ColumnOfField.GetValueOrDefault(rest, "sku"), reason);
            }
            return new RowError(FirstLine, ColumnOfField.GetValueOrDefault(field, field), reason);
        }
    }
}
