using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
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
}

/// <summary>
/// A computed quote and the currency it was asked in: as the view (<see cref="View"/>) or written straight as its JSON
/// (<see cref="WriteJson"/>, the same document without building the view's objects; a test holds the two equal).
/// </summary>
public sealed class LandedCostAnswer(LandedCostQuote quote, Currency requested)
{
    private static readonly JsonEncodedText CurrencyName = JsonEncodedText.Encode("currency");
    private static readonly JsonEncodedText GoodsName = JsonEncodedText.Encode("goods");
    private static readonly JsonEncodedText ShippingName = JsonEncodedText.Encode("shipping");
    private static readonly JsonEncodedText InsuranceName = JsonEncodedText.Encode("insurance");
    private static readonly JsonEncodedText DutyName = JsonEncodedText.Encode("duty");
    private static readonly JsonEncodedText TaxName = JsonEncodedText.Encode("tax");
    private static readonly JsonEncodedText FeesName = JsonEncodedText.Encode("fees");
    private static readonly JsonEncodedText TotalName = JsonEncodedText.Encode("total");
    private static readonly JsonEncodedText SchemeName = JsonEncodedText.Encode("scheme");
    private static readonly JsonEncodedText CollectedAtName = JsonEncodedText.Encode("collectedAt");
    private static readonly JsonEncodedText FormName = JsonEncodedText.Encode("form");
    private static readonly JsonEncodedText VerifiedName = JsonEncodedText.Encode("verified");
    private static readonly JsonEncodedText ChargesName = JsonEncodedText.Encode("charges");
    private static readonly JsonEncodedText KindName = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText AmountName = JsonEncodedText.Encode("amount");
    private static readonly JsonEncodedText BasisName = JsonEncodedText.Encode("basis");
    private static readonly JsonEncodedText RuleName = JsonEncodedText.Encode("rule");
    private static readonly JsonEncodedText WarningsName = JsonEncodedText.Encode("warnings");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText DescriptionName = JsonEncodedText.Encode("description");
    private static readonly JsonEncodedText SourceName = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText ExchangeName = JsonEncodedText.Encode("exchange");
    private static readonly JsonEncodedText FromName = JsonEncodedText.Encode("from");
    private static readonly JsonEncodedText ToName = JsonEncodedText.Encode("to");
    private static readonly JsonEncodedText RateName = JsonEncodedText.Encode("rate");
    private static readonly JsonEncodedText DateName = JsonEncodedText.Encode("date");

    public LandedCostQuote Quote { get; } = quote;

    public LandedCostView View() => LandedCostView.Of(Quote, requested);

    /// <summary>The view's JSON document (camelCase, numbers as numbers), written without building the view.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var quote = Quote;
        writer.WriteStartObject();
        writer.WriteString(CurrencyName, quote.Currency.Code);
        var units = quote.Currency.MinorUnits;
        var minor = quote.Minor;
        WriteMoney(writer, GoodsName, minor.Goods, units);
        WriteMoney(writer, ShippingName, minor.Shipping, units);
        WriteMoney(writer, InsuranceName, minor.Insurance, units);
        WriteMoney(writer, DutyName, minor.Duty, units);
        WriteMoney(writer, TaxName, minor.Tax, units);
        WriteMoney(writer, FeesName, minor.Fees, units);
        WriteMoney(writer, TotalName, minor.Total, units);
        writer.WriteString(SchemeName, quote.Scheme);
        writer.WriteString(CollectedAtName, quote.CollectedAt);
        writer.WriteString(FormName, LandedCostQuote.FormName(quote.Form));
        writer.WriteBoolean(VerifiedName, quote.Verified);
        writer.WriteStartArray(ChargesName);
        foreach (ref readonly var charge in quote.ChargeSpan)
        {
            writer.WriteStartObject();
            writer.WriteString(KindName, LandedCostView.KindName(charge.Kind));
            WriteMoney(writer, AmountName, charge.Minor, units);
            charge.WriteBasisJson(writer, BasisName);
            writer.WriteString(RuleName, charge.EncodedRule);
            writer.WriteBoolean(VerifiedName, charge.Verified);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray(WarningsName);
        foreach (var restriction in quote.Restrictions)
        {
            writer.WriteStartObject();
            writer.WriteString(IdName, restriction.Id);
            writer.WriteString(DescriptionName, $"Restricted: {restriction.Description}");
            writer.WriteString(SourceName, restriction.Source);
            writer.WriteBoolean(VerifiedName, restriction.Verified);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartObject(ExchangeName);
        writer.WriteString(FromName, requested.Code);
        writer.WriteString(ToName, quote.Currency.Code);
        writer.WriteNumber(RateName, quote.ExchangeRate);
        if (quote.RateDate is { } date)
        {
            // yyyy-MM-dd, written without the date formatter's general machinery
            Span<byte> text = [(byte)'"', 0, 0, 0, 0, (byte)'-', 0, 0, (byte)'-', 0, 0, (byte)'"'];
            _ = Utf8Formatter.TryFormat(date.Year, text[1..5], out _, new StandardFormat('D', 4));
            _ = Utf8Formatter.TryFormat(date.Month, text[6..8], out _, new StandardFormat('D', 2));
            _ = Utf8Formatter.TryFormat(date.Day, text[9..11], out _, new StandardFormat('D', 2));
            writer.WritePropertyName(DateName);
            writer.WriteRawValue(text, skipInputValidation: true);
        }
        else
        {
            writer.WriteNull(DateName);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>An amount from its minor units, as the decimal's JSON number (12.30), without formatting a decimal.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static void WriteMoney(Utf8JsonWriter writer, JsonEncodedText name, long minor, int minorUnits)
    {
        Span<byte> text = stackalloc byte[24];
        var length = Micros.FormatMinor(minor, minorUnits, text);
        writer.WritePropertyName(name);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }
}

/// <summary>
/// <c>POST /v1/landed-cost/quotes</c>: checks the request (every wrong field at once), then quotes it with the tenant's
/// scheme registrations under the rules in force on the date (today when absent).
/// </summary>
public static class QuoteLandedCost
{
    public const int MaxLines = 100;

    /// <summary>The database is asked only when the tenant's scheme registrations are not cached.</summary>
    public sealed class Handler(RequestTenant tenant, IServiceProvider services, SchemeRegistrations schemes, TimeProvider clock)
    {
        /// <summary>The quote with the currency it was asked in (the endpoint writes its JSON directly).</summary>
        public async ValueTask<Result<LandedCostAnswer>> AnswerAsync(LandedCostInput input, CancellationToken ct)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var registered = await schemes.ForAsync(tenant.Id, () => (WaybillDb)services.GetService(typeof(WaybillDb))!, ct);
            var request = Validate(input, today, registered);
            if (!request.IsSuccess)
            {
                return request.Error!;
            }
            var quote = LandedCostCalculator.Default.Quote(request.Value);
            return quote.IsSuccess ? new LandedCostAnswer(quote.Value, request.Value.Currency) : quote.Error!;
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
