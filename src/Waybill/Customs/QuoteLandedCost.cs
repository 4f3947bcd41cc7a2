using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tenancy;

namespace Waybill.Customs;

/// <summary>A landed-cost quote request as a client sends it: plain strings and numbers, nothing trusted yet.</summary>
public sealed record LandedCostInput(
    string? From,
    string? To,
    string? Date,
    string? Mode,
    string? Incoterm,
    string? Currency,
    decimal? Shipping,
    decimal? Insurance,
    IReadOnlyList<LandedCostLineInput?>? Lines);

public sealed record LandedCostLineInput(string? HsCode, string? OriginCountry, string? Description, decimal? Quantity, decimal? UnitValue, decimal? WeightKg);

/// <summary>One charge of a quote: what, how much, on what, and the rule in a sentence.</summary>
public sealed record LandedChargeView(string Kind, decimal Amount, string Basis, string Rule, bool Verified);

/// <summary>Goods a destination restricts (a licence or permit is needed): the quote stands, with this warning.</summary>
public sealed record GoodsWarningView(string Id, string Description, string Source, bool Verified);

/// <summary>The rate a quote converted the request's amounts at: units of <c>to</c> per unit of <c>from</c>, published on <c>date</c>.</summary>
public sealed record ExchangeView(string From, string To, decimal Rate, string? Date);

public sealed record LandedCostView(
    string Currency,
    decimal Goods,
    decimal Shipping,
    decimal Insurance,
    decimal Duty,
    decimal Tax,
    decimal Fees,
    decimal Total,
    string? Scheme,
    string? CollectedAt,
    string Form,
    bool Verified,
    IReadOnlyList<LandedChargeView> Charges,
    IReadOnlyList<GoodsWarningView> Warnings,
    ExchangeView Exchange)
{
    private static readonly string[] KindNames = [.. Enum.GetValues<ChargeKind>().Select(k => k.ToString().ToLowerInvariant())];

    internal static LandedCostView Of(LandedCostQuote quote, Currency requested) => new(
        quote.Currency.Code!,
        quote.Goods,
        quote.Shipping,
        quote.Insurance,
        quote.Duty,
        quote.Tax,
        quote.Fees,
        quote.Total,
        quote.Scheme,
        quote.CollectedAt,
        LandedCostQuote.FormName(quote.Form),
        quote.Verified,
        [.. quote.Charges.Select(c => new LandedChargeView(KindNames[(int)c.Kind], c.Amount, c.Basis, c.Rule, c.Verified))],
        [.. quote.Restrictions.Select(r => new GoodsWarningView(r.Id, $"Restricted: {r.Description}", r.Source, r.Verified))],
        new ExchangeView(requested.Code!, quote.Currency.Code!, quote.ExchangeRate, quote.RateDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

    internal static string KindName(ChargeKind kind) => KindNames[(int)kind];

    /// <summary>
    /// A charge's opening up to its amount (<c>{"kind":"duty","amount":</c>), by kind: the first charge's, and a later
    /// one's (with the comma before it). One copy per charge instead of four.
    /// </summary>
    internal static readonly byte[][] ChargeOpen = [.. KindNames.Select(n => Encoding.UTF8.GetBytes($"{{\"kind\":\"{n}\",\"amount\":"))];

    /// <inheritdoc cref="ChargeOpen"/>
    internal static readonly byte[][] NextChargeOpen = [.. KindNames.Select(n => Encoding.UTF8.GetBytes($",{{\"kind\":\"{n}\",\"amount\":"))];

    /// <summary>The declaration forms' names as JSON strings, quotes included, by form.</summary>
    internal static readonly byte[][] FormJson = [.. Enum.GetValues<DeclarationForm>().Select(f => Encoding.UTF8.GetBytes($"\"{LandedCostQuote.FormName(f)}\""))];
}

/// <summary>
/// A computed quote and the currency it was asked in: as the view (<see cref="View"/>) or written straight as its JSON
/// (<see cref="WriteJson"/>, the same document without building the view's objects; a test holds the two equal).
/// </summary>
public sealed class LandedCostAnswer(LandedCostQuote quote, Currency requested)
{
    public LandedCostQuote Quote { get; } = quote;

    public LandedCostView View() => LandedCostView.Of(Quote, requested);

    /// <summary>
    /// The view's JSON document (camelCase, numbers as numbers, strings escaped as <see cref="Utf8JsonWriter"/> escapes
    /// them by default), written without building the view: the document's fixed parts as literal bytes, the rule
    /// sentences as the bytes encoded once on each rule, amounts from their minor units.
    /// </summary>
    public void WriteJson(IBufferWriter<byte> output)
    {
        var quote = Quote;
        var json = new JsonOut(output);
        json.Raw("{\"currency\":"u8);
        json.String(quote.Currency.Code);
        var units = quote.Currency.MinorUnits;
        var minor = quote.Minor;
        json.Money(",\"goods\":"u8, minor.Goods, units);
        json.Money(",\"shipping\":"u8, minor.Shipping, units);
        json.Money(",\"insurance\":"u8, minor.Insurance, units);
        json.Money(",\"duty\":"u8, minor.Duty, units);
        json.Money(",\"tax\":"u8, minor.Tax, units);
        json.Money(",\"fees\":"u8, minor.Fees, units);
        json.Money(",\"total\":"u8, minor.Total, units);
        json.Raw(",\"scheme\":"u8);
        json.String(quote.Scheme);
        json.Raw(",\"collectedAt\":"u8);
        json.String(quote.CollectedAt);
        json.Raw(",\"form\":"u8);
        json.Raw(LandedCostView.FormJson[(int)quote.Form]);
        json.Raw(",\"verified\":"u8);
        json.Bool(quote.Verified);
        json.Raw(",\"charges\":["u8);
        var first = true;
        foreach (ref readonly var charge in quote.ChargeSpan)
        {
            json.Raw((first ? LandedCostView.ChargeOpen : LandedCostView.NextChargeOpen)[(int)charge.Kind]);
            first = false;
            json.Amount(charge.Minor, units);
            charge.WriteBasisJson(ref json); // ,"basis":"..."
            charge.WriteRuleJson(ref json); // ,"rule":"..."
            json.Raw(charge.Verified ? ",\"verified\":true}"u8 : ",\"verified\":false}"u8);
        }
        json.Raw("],\"warnings\":["u8);
        first = true;
        foreach (var restriction in quote.Restrictions)
        {
            json.Raw(first ? "{\"id\":"u8 : ",{\"id\":"u8);
            first = false;
            json.String(restriction.Id);
            json.Raw(",\"description\":"u8);
            json.String($"Restricted: {restriction.Description}");
            json.Raw(",\"source\":"u8);
            json.String(restriction.Source);
            json.Raw(",\"verified\":"u8);
            json.Bool(restriction.Verified);
            json.Raw("}"u8);
        }
        json.Raw("],\"exchange\":{\"from\":"u8);
        json.String(requested.Code);
        json.Raw(",\"to\":"u8);
        json.String(quote.Currency.Code);
        json.Raw(",\"rate\":"u8);
        json.Factor(quote.ExchangeTrillionths);
        json.Raw(",\"date\":"u8);
        if (quote.RateDate is { } date)
        {
            json.Raw("\""u8);
            json.Date(date);
            json.Raw("\""u8);
        }
        else
        {
            json.Raw("null"u8);
        }
        json.Raw("}}"u8);
        json.Flush();
    }
}

/// <summary>
/// JSON written straight into a buffer: the caller writes the punctuation and names, this writes values. Strings are
/// escaped as <see cref="Utf8JsonWriter"/>'s default encoder escapes them (plain ASCII is copied; anything else is
/// encoded by <see cref="JsonEncodedText"/>).
/// </summary>
internal ref struct JsonOut(IBufferWriter<byte> output)
{
    private const int Chunk = 4096;

    /// <summary>The ASCII characters the default encoder leaves as they are.</summary>
    internal static readonly SearchValues<char> Plain =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%()*,-./:;=?@[]^_{|}~");

    private Span<byte> _span = output.GetSpan(Chunk);
    private int _at;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Raw(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _at += bytes.Length;
    }

    /// <summary>At least <paramref name="size"/> bytes to write into; <see cref="Advance"/> then says how many were written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int size)
    {
        if (size > _span.Length - _at)
        {
            Grow(size);
        }
        return _span[_at..];
    }

    /// <summary>Hands the written bytes to the output and takes a new span of at least <paramref name="size"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int size)
    {
        output.Advance(_at);
        _at = 0;
        _span = output.GetSpan(Math.Max(size, Chunk));
    }

    public void Advance(int count) => _at += count;

    public void Flush()
    {
        output.Advance(_at);
        _at = 0;
        _span = default;
    }

    public void String(string? value)
    {
        if (value is null)
        {
            Raw("null"u8);
        }
        else if (!value.AsSpan().ContainsAnyExcept(Plain))
        {
            var text = Reserve(value.Length + 2);
            text[0] = (byte)'"';
            _ = System.Text.Ascii.FromUtf16(value, text[1..], out var written);
            text[written + 1] = (byte)'"';
            _at += written + 2;
        }
        else
        {
            Encoded(JsonEncodedText.Encode(value));
        }
    }

    /// <summary>A string already escaped, in its quotes.</summary>
    public void Encoded(JsonEncodedText text)
    {
        var bytes = text.EncodedUtf8Bytes;
        var span = Reserve(bytes.Length + 2);
        span[0] = (byte)'"';
        bytes.CopyTo(span[1..]);
        span[bytes.Length + 1] = (byte)'"';
        _at += bytes.Length + 2;
    }

    public void Bool(bool value) => Raw(value ? "true"u8 : "false"u8);

    /// <summary>
    /// A property (<paramref name="prefix"/>: the comma, name and colon) whose value is an amount from its minor units,
    /// as the decimal's JSON number (12.30), without formatting a decimal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Money(scoped ReadOnlySpan<byte> prefix, long minor, int minorUnits)
    {
        Raw(prefix);
        Amount(minor, minorUnits);
    }

    /// <summary>An amount from its minor units, as the decimal's JSON number (12.30).</summary>
    public void Amount(long minor, int minorUnits) => _at += Micros.FormatMinor(minor, minorUnits, Reserve(24));

    /// <summary>A date as yyyy-MM-dd, written without the date formatter's general machinery.</summary>
    public void Date(DateOnly date)
    {
        var text = Reserve(10);
        _ = Utf8Formatter.TryFormat(date.Year, text[..4], out _, new StandardFormat('D', 4));
        text[4] = (byte)'-';
        _ = Utf8Formatter.TryFormat(date.Month, text[5..7], out _, new StandardFormat('D', 2));
        text[7] = (byte)'-';
        _ = Utf8Formatter.TryFormat(date.Day, text[8..10], out _, new StandardFormat('D', 2));
        _at += 10;
    }

    /// <summary>An exchange factor in trillionths, as <see cref="Utf8JsonWriter"/> writes its decimal (<see cref="Micros.FactorToDecimal"/>).</summary>
    public void Factor(long trillionths) => _at += Micros.FormatFactor(trillionths, Reserve(32));
}

/// <summary>
/// <c>POST /v1/landed-cost/quotes</c>: checks the request (every wrong field at once), then quotes it with the tenant's
/// scheme registrations under the rules in force on the date (today when absent).
/// </summary>
public static class QuoteLandedCost
{
    public const int MaxLines = 100;

    /// <summary>What a quote depends on beyond its request: today's date (the default date) and the tenant's scheme registrations.</summary>
    public readonly record struct Context(DateOnly Today, IReadOnlySet<string> Registered);

    /// <summary>The database is asked only when the tenant's scheme registrations are not cached.</summary>
    /// <remarks>One for the process (no per-request state): the endpoint passes the request's tenant and services.</remarks>
    public sealed class Handler(SchemeRegistrations schemes, TimeProvider clock)
    {
        /// <param name="tenant">The request's tenant.</param>
        /// <param name="state">What <paramref name="services"/> gets the request's services from.</param>
        /// <param name="services">The request's services, asked for only on a cache miss (for its database context): a
        /// request whose tenant's registrations are cached never makes a service scope.</param>
        /// <param name="ct">The request's cancellation.</param>
        public ValueTask<Context> ContextAsync<TState>(Guid tenant, TState state, Func<TState, IServiceProvider> services, CancellationToken ct)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return schemes.TryCached(tenant, out var registered) ? ValueTask.FromResult(new Context(today, registered)) : ReadAsync(tenant, services(state), today, ct);
        }

        private async ValueTask<Context> ReadAsync(Guid tenant, IServiceProvider services, DateOnly today, CancellationToken ct) =>
            new(today, await schemes.ForAsync(tenant, () => (WaybillDb)services.GetService(typeof(WaybillDb))!, ct));

        /// <summary>The quote of a request as the client sent it, checked first (<see cref="Validate"/>).</summary>
        public static Result<LandedCostAnswer> Answer(LandedCostInput input, Context context)
        {
            var request = Validate(input, context.Today, context.Registered);
            return request.IsSuccess ? Answer(request.Value) : request.Error!;
        }

        /// <summary>The quote of a checked request, with the currency it was asked in (the endpoint writes its JSON directly).</summary>
        public static Result<LandedCostAnswer> Answer(QuoteRequest request)
        {
            ArgumentNullException.ThrowIfNull(request);
            var quote = LandedCostCalculator.Default.Quote(request);
            return quote.IsSuccess ? new LandedCostAnswer(quote.Value, request.Currency) : quote.Error!;
        }
    }

    /// <summary>
    /// Builds the calculator's request: 400 <c>customs.quote_invalid</c> naming every wrong field, then 422
    /// <c>customs.hs_code_unknown</c> for well-formed codes that are not HS 2022 subheadings.
    /// </summary>
    public static Result<QuoteRequest> Validate(LandedCostInput input, DateOnly today, IReadOnlySet<string> registered)
    {
        var errors = new ValidationErrors();
        var from = Country(errors, "from", input.From);
        var to = Country(errors, "to", input.To);
        var date = today;
        if (input.Date is not null && !TryParseDate(input.Date, out date))
        {
            errors.Add("date", $"'{input.Date}' is not a date: YYYY-MM-DD.");
        }
        var mode = ShippingMode.Postal;
        switch (input.Mode?.Trim().ToLowerInvariant())
        {
            case null or "postal":
                break;
            case "courier":
                mode = ShippingMode.Courier;
                break;
            default:
                errors.Add("mode", $"'{input.Mode}' is neither postal nor courier.");
                break;
        }
        var incoterm = Incoterm.DDP;
        switch (input.Incoterm?.Trim().ToUpperInvariant())
        {
            case "DDP":
                break;
            case "DAP":
                incoterm = Incoterm.DAP;
                break;
            case null:
                errors.Add("incoterm", "The incoterm is required: DDP (the seller pays duty and tax) or DAP (the buyer does).");
                break;
            default:
                errors.Add("incoterm", $"'{input.Incoterm}' is not an incoterm Waybill handles: DDP or DAP.");
                break;
        }
        Currency currency = default;
        if (!Common.Currency.TryCreate(input.Currency, out currency, out var currencyReason))
        {
            errors.Add("currency", currencyReason ?? "An ISO 4217 currency code is required.");
        }
        var shipping = Amount(errors, "shipping", input.Shipping, required: true, currency);
        var insurance = Amount(errors, "insurance", input.Insurance, required: false, currency);
        var lines = new List<QuoteLine>(input.Lines?.Count ?? 0);
        if (input.Lines is not { Count: > 0 and <= MaxLines })
        {
            errors.Add("lines", $"1 to {MaxLines} lines are required.");
        }
        else
        {
            for (var i = 0; i < input.Lines.Count; i++)
            {
                // Field names are written only for what is wrong: a valid line allocates none.
                if (input.Lines[i] is not { } line)
                {
                    errors.Add($"lines[{i}]", "A line is an object: {hsCode, originCountry, description, quantity, unitValue, weightKg}.");
                    continue;
                }
                if (!HsCode.TryCreate(line.HsCode, out var hs, out var hsReason))
                {
                    errors.Add($"lines[{i}].hsCode", hsReason!);
                }
                if (!CountryCode.TryCreate(line.OriginCountry, out var origin, out var originReason))
                {
                    errors.Add($"lines[{i}].originCountry", originReason ?? "An ISO 3166-1 alpha-2 country code is required.");
                }
                if (line.Description is { Length: > 200 })
                {
                    errors.Add($"lines[{i}].description", "At most 200 characters.");
                }
                var quantity = 0;
                if (line.Quantity is not { } q || q != decimal.Truncate(q) || q is < 1 or > 100_000)
                {
                    errors.Add($"lines[{i}].quantity", "A whole number from 1 to 100,000 is required.");
                }
                else
                {
                    quantity = (int)q;
                }
                var unitValue = line.UnitValue is { } v && AmountIsValid(v, currency) ? v : Amount(errors, $"lines[{i}].unitValue", line.UnitValue, required: true, currency);
                if (line.WeightKg is not (> 0 and <= 1000))
                {
                    errors.Add($"lines[{i}].weightKg", "The unit weight in kilograms is required: above 0, at most 1,000.");
                }
                lines.Add(new QuoteLine(hs, origin, quantity, unitValue, line.WeightKg ?? 0));
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError("customs.quote_invalid", "The landed-cost quote request has invalid fields.");
        }
        var unknown = new ValidationErrors();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!HsNomenclature.Default.Exists(lines[i].HsCode))
            {
                var digits = lines[i].HsCode.Digits;
                unknown.Add($"lines[{i}].hsCode", $"'{digits[..4]}.{digits[4..6]}' is not an HS 2022 subheading; GET /v1/hs-codes?q=... finds the code of the goods.");
            }
        }
        if (!unknown.IsEmpty)
        {
            return new Error(ErrorKind.Unprocessable, "customs.hs_code_unknown", "A line's HS code is not in the HS 2022 nomenclature.", unknown.ToDictionary());
        }
        return new QuoteRequest(from, to, date, mode, incoterm, currency, shipping, insurance, lines.ToArray(), registered);
    }

    /// <summary>YYYY-MM-DD exactly (DateOnly.TryParseExact's general machinery is slow for a hot path).</summary>
    private static bool TryParseDate(string text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || !int.TryParse(text.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        date = new DateOnly(year, month, day);
        return true;
    }

    private static CountryCode Country(ValidationErrors errors, string field, string? value)
    {
        if (CountryCode.TryCreate(value, out var code, out var reason))
        {
            return code;
        }
        errors.Add(field, reason ?? "An ISO 3166-1 alpha-2 country code is required.");
        return default;
    }

    /// <summary>True when <see cref="Amount"/> would accept the value without a word.</summary>
    private static bool AmountIsValid(decimal value, Currency currency) =>
        value is >= 0 and <= 1_000_000_000 && (currency.Code is null || decimal.Round(value, currency.MinorUnits) == value);

    private static decimal Amount(ValidationErrors errors, string field, decimal? value, bool required, Currency currency)
    {
        if (value is { } valid && AmountIsValid(valid, currency))
        {
            return valid;
        }
        if (value is null)
        {
            if (required)
            {
                errors.Add(field, "An amount of 0 or more is required.");
            }
            return 0m;
        }
        if (value is < 0 or > 1_000_000_000)
        {
            errors.Add(field, "An amount from 0 to 1,000,000,000.");
            return 0m;
        }
        if (currency.Code is not null && decimal.Round(value.Value, currency.MinorUnits) != value.Value)
        {
            errors.Add(field, $"{currency} has {currency.MinorUnits} decimal places.");
        }
        return value.Value;
    }
}
