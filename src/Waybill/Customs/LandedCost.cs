using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Waybill.Common;
using Waybill.ForeignExchange;
using Waybill.Orders;
using Waybill.Tenancy;

namespace Waybill.Customs;

/// <summary>How the parcel travels: by post (CN22/CN23) or by courier (commercial invoice).</summary>
public enum ShippingMode
{
    Postal,
    Courier,
}

/// <summary>One checked line of a quote: the goods' HS 2022 subheading (as an int, 610910), origin, count and unit value.</summary>
public readonly record struct QuoteLine(HsCode HsCode, CountryCode Origin, int Quantity, decimal UnitValue, decimal UnitWeightKg)
{
    public int Subheading { get; } = HsCode.Digits is null ? 0 : int.Parse(HsCode.Subheading, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>
/// A checked quote request. Values are in <see cref="Currency"/>; <see cref="RegisteredSchemes"/> are the seller's
/// collection schemes (the defaults of <see cref="CustomsSchemes"/> when the tenant has not said otherwise).
/// </summary>
public sealed record QuoteRequest(
    CountryCode From,
    CountryCode To,
    DateOnly Date,
    ShippingMode Mode,
    Incoterm Incoterm,
    Currency Currency,
    decimal Shipping,
    decimal Insurance,
    IReadOnlyList<QuoteLine> Lines,
    IReadOnlySet<string> RegisteredSchemes);

/// <summary>What a charge is: the goods and transport themselves, or what the border adds.</summary>
public enum ChargeKind
{
    Goods,
    Shipping,
    Insurance,
    Duty,
    Tax,
    Fee,
}

/// <summary>
/// One rounded charge of a quote, with the rule it comes from. The sentences (<see cref="Basis"/>, <see cref="Rule"/>)
/// are written when read, so that the calculator itself does not format text.
/// </summary>
public sealed class LandedCharge
{
    private readonly object? _source;
    private readonly Currency _currency;
    private readonly decimal _value;
    private readonly decimal _percent;
    private readonly int _count;
    private readonly BasisForm _form;
    private readonly string? _subject;
    private readonly int _line;
    private readonly HsCode _hs;
    private readonly decimal _threshold;

    /// <summary>
    /// <paramref name="subject"/> is a constant template: <c>{line}</c>, <c>{threshold}</c> and <c>{count}</c> are filled
    /// in when <see cref="Basis"/> is read.
    /// </summary>
    internal LandedCharge(ChargeKind kind, decimal amount, Currency currency, object? source, BasisForm form, decimal value = 0, decimal percent = 0, int count = 0,
        string? subject = null, int line = -1, HsCode hs = default, decimal threshold = 0)
    {
        _line = line;
        _hs = hs;
        _threshold = threshold;
        Kind = kind;
        Amount = amount;
        _currency = currency;
        _source = source;
        _form = form;
        _value = value;
        _percent = percent;
        _count = count;
        _subject = subject;
    }

    internal enum BasisForm
    {
        Value,
        Percent,
        PerCount,
        Relief,
        GrossUp,
        Band,
    }

    public ChargeKind Kind { get; }

    /// <summary>Rounded half away from zero to the currency's minor unit.</summary>
    public decimal Amount { get; }

    /// <summary>True unless the rule or rate behind it is flagged unverified (or is an estimate).</summary>
    public bool Verified => _source switch
    {
        CustomsRule rule => rule.Verified,
        VatRate rate => rate.Verified,
        GoodsVatRate rate => rate.Verified,
        DutyRate rate => rate.Verified,
        MissingRate => false,
        _ => true,
    };

    /// <summary>What the amount is computed on, in words.</summary>
    public string Basis
    {
        get
        {
            var subject = _subject;
            if (subject is not null && subject.Contains('{', StringComparison.Ordinal))
            {
                subject = subject
                    .Replace("{line}", _line < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"lines[{_line}], HS {_hs.Digits.AsSpan(0, 4)}.{_hs.Digits.AsSpan(4, 2)}"), StringComparison.Ordinal)
                    .Replace("{threshold}", Money(_threshold), StringComparison.Ordinal)
                    .Replace("{count}", _count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }
            return _form switch
            {
                BasisForm.Value => subject is null ? Money(_value) : $"{subject}: {Money(_value)}",
                BasisForm.Percent => $"{Percent(_percent)} of {Money(_value)}{(subject is null ? "" : $" ({subject})")}",
                BasisForm.PerCount => $"{Money(_value)} × {_count} {subject}",
                BasisForm.Relief => $"{subject}: {Money(_value)}",
                BasisForm.GrossUp => $"{Percent(_percent)} of {Money(_value)} grossed up (the tax is part of its own base){(subject is null ? "" : $" ({subject})")}",
                BasisForm.Band => $"{Percent(_percent)} of {Money(_value)}{(_threshold > 0 ? $" less {Money(_threshold)}" : "")}",
                _ => "",
            };
        }
    }

    /// <summary>The rule in a sentence, naming it and its effective date (written once per rule or rate, then reused).</summary>
    public string Rule => _source switch
    {
        CustomsRule rule => LandedCostCalculator.Describe(rule),
        null => "",
        string sentence => sentence,
        MissingRate missing => missing.Sentence, // made per quote: not kept
        var source => SourceSentences.GetOrAdd(source, Describe), // the shipped rates and tariffs: a bounded set
    };

    private static readonly ConcurrentDictionary<object, string> SourceSentences = new(ReferenceEqualityComparer.Instance);

    private static string Describe(object source) => source switch
    {
        VatRate rate => $"{CountryNames.Of(rate.Country)}: {rate.Name} at the standard rate of {Percent(rate.Percent)}, in force since {Date(rate.EffectiveFrom)} ({rate.Source}).{(rate.Verified ? "" : $" Unverified: {rate.Note}")}",
        GoodsVatRate rate => $"{CountryNames.Of(rate.Country)}: the reduced rate of {Percent(rate.Percent)} for {rate.Category.Replace('_', ' ')}, in force since {Date(rate.EffectiveFrom)} ({rate.Source}).{(rate.Verified ? "" : $" Unverified: {rate.Note}")}",
        DutyRate rate => rate.Explanation,
        _ => "",
    };

    private static readonly string[] Formats = ["F0", "F1", "F2", "F3", "F4"];

    private string Money(decimal amount) =>
        string.Concat(decimal.Round(amount, _currency.MinorUnits, MidpointRounding.AwayFromZero).ToString(Formats[Math.Min(_currency.MinorUnits, 4)], CultureInfo.InvariantCulture), " ", _currency.Code);

    private static string Percent(decimal percent) => string.Create(CultureInfo.InvariantCulture, $"{percent:0.####}%");

    private static string Date(DateOnly date) => date == DateOnly.MinValue ? "before the data starts" : date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A destination with no VAT/GST data: no import tax quoted, and the quote says so.</summary>
internal sealed record MissingRate(CountryCode Country, DateOnly Date)
{
    public string Sentence => string.Create(CultureInfo.InvariantCulture, $"Waybill has no VAT or GST rate for {CountryNames.Of(Country)} on {Date:yyyy-MM-dd}: no import tax is quoted.");
}

/// <summary>A computed quote, every amount in <see cref="Currency"/> and rounded; <see cref="Total"/> is the sum of the charges.</summary>
public sealed record LandedCostQuote(
    Currency Currency,
    decimal Goods,
    decimal Shipping,
    decimal Insurance,
    decimal Duty,
    decimal Tax,
    decimal Fees,
    decimal Total,
    string? Scheme,
    string? CollectedAt,
    DeclarationForm Form,
    bool Verified,
    IReadOnlyList<LandedCharge> Charges,
    IReadOnlyList<GoodsRestriction> Restrictions,
    decimal ExchangeRate,
    DateOnly? RateDate)
{
    public static string FormName(DeclarationForm form) => form switch
    {
        DeclarationForm.Cn22 => "CN22",
        DeclarationForm.Cn23 => "CN23",
        _ => "commercial_invoice",
    };
}

/// <summary>
/// The landed cost of a parcel: goods, transport, duty, import tax and fees under the rules in force on the date, in the
/// destination's currency, each charge rounded half away from zero and the total their sum. In memory and synchronous:
/// the rules, tariffs and rates are indexed once per destination, so a quote is a few dozen decimal operations.
/// </summary>
public sealed class LandedCostCalculator
{
    public const string Checkout = "checkout";
    public const string Delivery = "delivery";

    private static readonly Lazy<LandedCostCalculator> Shared = new(() => new LandedCostCalculator(
        CustomsRuleBook.Default, DutyTariffs.Default, VatRates.Default, GoodsVatRates.Default, GoodsRestrictions.Default, ExchangeRates.Default,
        ReferenceData.PathOf("customs", "currencies.json")));

    private static readonly ConcurrentDictionary<CustomsRule, string> Sentences = new(ReferenceEqualityComparer.Instance);

    private readonly CustomsRuleBook _book;
    private readonly DutyTariffs _tariffs;
    private readonly VatRates _vat;
    private readonly GoodsVatRates _goodsVat;
    private readonly GoodsRestrictions _restrictions;
    private readonly ExchangeRates _rates;
    private readonly FrozenDictionary<CountryCode, (DateOnly From, Currency Currency)[]> _currencies;
    private readonly ConcurrentDictionary<CountryCode, Destination> _destinations = new();

    /// <summary>The book's categories of goods as HS prefixes encoded prefix * 10 + digits (read once, shared by every destination).</summary>
    private readonly FrozenDictionary<string, int[]> _categories;
    private readonly Currency _usd = Common.Currency.Parse("USD");

    public LandedCostCalculator(
        CustomsRuleBook book, DutyTariffs tariffs, VatRates vat, GoodsVatRates goodsVat, GoodsRestrictions restrictions, ExchangeRates rates, string currenciesPath)
    {
        _book = book;
        _tariffs = tariffs;
        _vat = vat;
        _goodsVat = goodsVat;
        _restrictions = restrictions;
        _rates = rates;
        _currencies = LoadCurrencies(currenciesPath);
        _categories = book.Categories.ToFrozenDictionary(
            c => c.Key,
            c => c.Value.Select(p => (int.Parse(p, CultureInfo.InvariantCulture) * (p.Length == 2 ? 10000 : p.Length == 4 ? 100 : 1) * 10) + p.Length).ToArray(),
            StringComparer.Ordinal);
    }

    public static LandedCostCalculator Default => Shared.Value;

    /// <summary>The currency a destination's customs charge in on a date; null when Waybill does not know it.</summary>
    public Currency? CurrencyOf(CountryCode destination, DateOnly date)
    {
        if (_currencies.TryGetValue(destination, out var periods))
        {
            foreach (var (from, currency) in periods)
            {
                if (from <= date)
                {
                    return currency;
                }
            }
        }
        return null;
    }

    /// <summary>True when goods sent from one country to the other pass a customs border (not within one country or the EU).</summary>
    public static bool CrossesBorder(CountryCode from, CountryCode to) => from != to && !(CustomsUnions.InEu(from) && CustomsUnions.InEu(to));

    /// <summary>
    /// The quote, or why there is none: an embargoed destination (<c>customs.embargoed</c>), goods the destination
    /// prohibits (<c>customs.prohibited_goods</c>, naming the line), or no exchange rate on the date.
    /// </summary>
    public Result<LandedCostQuote> Quote(QuoteRequest request)
    {
        if (!_destinations.TryGetValue(request.To, out var destination))
        {
            destination = _destinations.GetOrAdd(request.To, new Destination(_book, request.To, _categories));
        }
        var date = request.Date;
        // An array: the lines are read many times, and a list's interface indexer copies each one out.
        var lines = request.Lines as QuoteLine[] ?? [.. request.Lines];
        if (!CrossesBorder(request.From, request.To))
        {
            return new Error(ErrorKind.Unprocessable, "customs.not_cross_border",
                $"Goods sent from {CountryNames.Of(request.From)} to {CountryNames.Of(request.To)} cross no customs border: there is no duty or import tax to quote.");
        }
        if (destination.Embargo(date) is { } embargo)
        {
            return new Error(ErrorKind.Unprocessable, "customs.embargoed",
                $"Nothing may be sent to {CountryNames.Of(request.To)} on {date:yyyy-MM-dd}: {embargo.Reason} ({embargo.Source}).");
        }
        List<GoodsRestriction>? restrictions = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (_restrictions.ProhibitedOn(request.To, date, lines[i].Subheading) is { } prohibited)
            {
                return new Error(ErrorKind.Unprocessable, "customs.prohibited_goods",
                    $"lines[{i}]: {CountryNames.Of(request.To)} prohibits the import of {prohibited.Description} (HS {lines[i].HsCode.Subheading[..4]}.{lines[i].HsCode.Subheading[4..]}; {prohibited.Source}).",
                    new Dictionary<string, string[]> { [$"lines[{i}].hsCode"] = [$"{CountryNames.Of(request.To)} prohibits {prohibited.Description} ({prohibited.Source})."] });
            }
            if (_restrictions.RestrictedOn(request.To, date, lines[i].Subheading) is { } restricted)
            {
                (restrictions ??= []).Add(restricted);
            }
        }

        var currency = CurrencyOf(request.To, date) ?? request.Currency;
        if (!Factor(request.Currency, currency, date, out var factor, out var reason, out var rateDate))
        {
            return new Error(ErrorKind.Unprocessable, "customs.no_exchange_rate", $"No exchange rate from {request.Currency} to {currency} on {date:yyyy-MM-dd}: {reason}");
        }

        // Values in the destination's currency, unrounded until they become charges.
        Span<decimal> value = lines.Length <= 32 ? stackalloc decimal[lines.Length] : new decimal[lines.Length];
        var goods = 0m;
        var items = 0;
        var weight = 0m;
        for (var i = 0; i < lines.Length; i++)
        {
            // Six decimal places: far below a minor unit, and later products stay on decimal's fast path.
            value[i] = factor == 1m ? lines[i].UnitValue * lines[i].Quantity : decimal.Round(lines[i].UnitValue * lines[i].Quantity * factor, 6);
            goods += value[i];
            items += lines[i].Quantity;
            weight += lines[i].UnitWeightKg * lines[i].Quantity;
        }
        // Each line's share of the goods' value: transport and a consignment's duty are spread over the lines by it.
        Span<decimal> share = lines.Length <= 32 ? stackalloc decimal[lines.Length] : new decimal[lines.Length];
        if (lines.Length == 1)
        {
            share[0] = 1m;
        }
        else
        {
            var perGoods = goods == 0 ? 0m : decimal.Round(1m / goods, 12);
            for (var i = 0; i < lines.Length; i++)
            {
                share[i] = goods == 0 ? 1m / lines.Length : decimal.Round(value[i] * perGoods, 9);
            }
        }
        var shipping = factor == 1m ? request.Shipping : decimal.Round(request.Shipping * factor, 6);
        var insurance = factor == 1m ? request.Insurance : decimal.Round(request.Insurance * factor, 6);
        var transport = shipping + insurance;

        var charges = new List<LandedCharge>(4 + (2 * lines.Length))
        {
            new(ChargeKind.Goods, Round(goods, currency), currency, "The goods' value as declared.", LandedCharge.BasisForm.Value, goods, count: items, subject: "{count} item(s)"),
            new(ChargeKind.Shipping, Round(shipping, currency), currency, "The shipping price charged to the buyer.", LandedCharge.BasisForm.Value, shipping),
        };
        if (insurance > 0)
        {
            charges.Add(new(ChargeKind.Insurance, Round(insurance, currency), currency, "The insurance charged to the buyer.", LandedCharge.BasisForm.Value, insurance));
        }

        var context = new Context(this, request, currency, date);
        var valuation = destination.First(RuleKind.Valuation, context, lines);
        var dutyIncludesShipping = valuation?.IncludesShipping ?? true;
        var taxIncludesShipping = valuation?.TaxIncludesShipping ?? true;
        string? scheme = null;

        Span<decimal> duty = lines.Length <= 32 ? stackalloc decimal[lines.Length] : new decimal[lines.Length];
        if (destination.First(RuleKind.FlatTax, context, lines) is { } flat && Within(goods + transport, flat, context, out _))
        {
            // One simplified rate replaces duty and tax (Turkey, Mexico's courier regime).
            var basis = goods + transport;
            charges.Add(new(ChargeKind.Tax, Round(basis * flat.Percent!.Value * 0.01m, currency), currency, flat, LandedCharge.BasisForm.Percent, basis, flat.Percent!.Value, subject: "goods and transport"));
        }
        else
        {
            Duty(destination, context, lines, value, share, goods, transport, dutyIncludesShipping, duty, charges);
            scheme = Tax(destination, context, lines, value, share, goods, transport, taxIncludesShipping, valuation, duty, charges);
        }
        Fees(destination, context, lines, goods, items, charges);

        decimal dutyTotal = 0, taxTotal = 0, feeTotal = 0, total = 0;
        var verified = valuation?.Verified ?? true;
        foreach (var charge in charges)
        {
            total += charge.Amount;
            verified &= charge.Verified;
            switch (charge.Kind)
            {
                case ChargeKind.Duty:
                    dutyTotal += charge.Amount;
                    break;
                case ChargeKind.Tax:
                    taxTotal += charge.Amount;
                    break;
                case ChargeKind.Fee:
                    feeTotal += charge.Amount;
                    break;
                default:
                    break;
            }
        }
        var due = dutyTotal + taxTotal + feeTotal;
        var collectedAt = due == 0 ? null : request.Incoterm == Incoterm.DDP || scheme is not null ? Checkout : Delivery;
        var form = request.Mode == ShippingMode.Courier ? DeclarationForm.CommercialInvoice
            : weight <= 2m && WithinSdr(goods, currency, date, 300m) ? DeclarationForm.Cn22 : DeclarationForm.Cn23; // UPU: CN22 up to 300 SDR and 2 kg
        return new LandedCostQuote(currency, Round(goods, currency), Round(shipping, currency), Round(insurance, currency), dutyTotal, taxTotal, feeTotal, total,
            scheme, collectedAt, form, verified, charges, (IReadOnlyList<GoodsRestriction>?)restrictions ?? [], factor, rateDate);
    }

    private void Duty(Destination destination, Context context, QuoteLine[] lines, ReadOnlySpan<decimal> value, ReadOnlySpan<decimal> share, decimal goods, decimal transport,
        bool includesShipping, Span<decimal> duty, List<LandedCharge> charges)
    {
        var currency = context.Currency;
        var transportShare = includesShipping ? transport : 0m;
        if (destination.First(RuleKind.DutyDeMinimis, context, lines) is { } relief && Within(goods + (relief.IncludesShipping ? transport : 0m), relief, context, out var threshold))
        {
            charges.Add(new(ChargeKind.Duty, 0m, currency, relief, LandedCharge.BasisForm.Relief, goods + (relief.IncludesShipping ? transport : 0m),
                subject: "no duty at or below {threshold}", threshold: threshold));
            return;
        }
        if (destination.First(RuleKind.FlatDuty, context, lines) is { } flat && Within(goods, flat, context, out _))
        {
            // EU 2026-07-01: EUR 3 per item category (distinct tariff subheading) replaces the tariff up to EUR 150.
            var categories = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                var seen = false;
                for (var j = 0; j < i; j++)
                {
                    seen |= lines[j].Subheading == lines[i].Subheading;
                }
                categories += seen ? 0 : 1;
            }
            var per = context.Convert(flat.Amount!.Value, flat.Currency!.Value);
            var amount = Round(per * categories, currency);
            charges.Add(new(ChargeKind.Duty, amount, currency, flat, LandedCharge.BasisForm.PerCount, per, count: categories, subject: "item categories"));
            Spread(amount, share, duty);
            return;
        }
        if (destination.First(RuleKind.DutyBands, context, lines) is { } bands)
        {
            var basis = goods + (bands.IncludesShipping ? transport : 0m);
            foreach (var band in bands.Bands)
            {
                var upTo = context.Convert(band.UpTo, bands.Currency!.Value);
                if (basis <= upTo)
                {
                    var deduct = context.Convert(band.Deduct, bands.Currency!.Value);
                    var amount = Round(Math.Max(0m, (basis * band.Percent * 0.01m) - deduct), currency);
                    charges.Add(new(ChargeKind.Duty, amount, currency, bands, LandedCharge.BasisForm.Band, basis, band.Percent, threshold: deduct));
                    Spread(amount, share, duty);
                    return;
                }
            }
        }
        var fixedRate = destination.First(RuleKind.DutyRate, context, lines);
        var freeChapters = destination.First(RuleKind.DutyFreeChapters, context, lines);
        var additional = destination.First(RuleKind.AdditionalDuty, context, lines);
        for (var i = 0; i < lines.Length; i++)
        {
            var lineValue = value[i] + (transportShare == 0 ? 0m : transportShare * share[i]);
            var chapter = lines[i].Subheading / 10000;
            object source;
            decimal percent;
            if (freeChapters is { Chapters: [var first, var last] } && chapter >= first && chapter <= last)
            {
                source = freeChapters;
                percent = 0m;
            }
            else if (fixedRate is not null)
            {
                source = fixedRate;
                percent = fixedRate.Percent!.Value;
            }
            else
            {
                var rate = _tariffs.RateOf(context.Request.To, lines[i].Subheading);
                source = rate;
                percent = rate.Percent;
            }
            duty[i] = lineValue * percent * 0.01m;
            charges.Add(new(ChargeKind.Duty, Round(duty[i], currency), currency, source, LandedCharge.BasisForm.Percent, lineValue, percent, subject: "{line}", line: i, hs: lines[i].HsCode));
            if (additional is not null)
            {
                var extra = lineValue * additional.Percent!.Value * 0.01m;
                duty[i] += extra;
                charges.Add(new(ChargeKind.Duty, Round(extra, currency), currency, additional, LandedCharge.BasisForm.Percent, lineValue, additional.Percent!.Value, subject: "{line}", line: i, hs: lines[i].HsCode));
            }
        }
    }

    private string? Tax(Destination destination, Context context, QuoteLine[] lines, ReadOnlySpan<decimal> value, ReadOnlySpan<decimal> share, decimal goods, decimal transport,
        bool includesShipping, CustomsRule? valuation, ReadOnlySpan<decimal> duty, List<LandedCharge> charges)
    {
        var currency = context.Currency;
        var date = context.Date;
        var to = context.Request.To;
        var first = charges.Count;
        var scheme = destination.Scheme(context, lines, value, goods, transport);

        if (scheme is null && destination.First(RuleKind.TaxDeMinimis, context, lines) is { } relief
            && Within(goods + (relief.IncludesShipping ? transport : 0m), relief, context, out var threshold) && relief.Amount > 0)
        {
            charges.Add(new(ChargeKind.Tax, 0m, currency, relief, LandedCharge.BasisForm.Relief, goods + (relief.IncludesShipping ? transport : 0m),
                subject: "no import tax at or below {threshold}", threshold: threshold));
            return null;
        }

        // At checkout the tax is on the sale (goods and delivery); at import on the customs value, duty and, by country, transport.
        var transportShare = scheme is not null || includesShipping ? transport : 0m;
        var sum = 0m;
        for (var i = 0; i < lines.Length; i++)
        {
            var basis = value[i] + (transportShare == 0 ? 0m : transportShare * share[i]) + (scheme is null ? duty[i] : 0m);
            object source;
            decimal percent;
            if (_goodsVat.RateOn(to, date, lines[i].Subheading) is { } reduced)
            {
                source = reduced;
                percent = reduced.Percent;
            }
            else if (_vat.StandardOn(to, date) is { } standard)
            {
                source = standard;
                percent = standard.Percent;
            }
            else
            {
                source = new MissingRate(to, date);
                percent = 0m;
            }
            if (percent == 0m && source is VatRate { Percent: 0 })
            {
                continue;
            }
            var grossUp = scheme is null && valuation is { TaxGrossUp: true } && percent < 100m;
            var tax = grossUp ? basis * percent / (100m - percent) : basis * percent * 0.01m;
            sum += tax;
            charges.Add(new(ChargeKind.Tax, Round(tax, currency), currency, source, grossUp ? LandedCharge.BasisForm.GrossUp : LandedCharge.BasisForm.Percent, basis, percent,
                subject: scheme is null ? "{line}" : "{line}, collected at checkout", line: i, hs: lines[i].HsCode));
        }
        if (scheme is not null)
        {
            charges.Add(new(ChargeKind.Tax, 0m, currency, scheme, LandedCharge.BasisForm.Relief, goods, subject: "no import tax: collected at checkout"));
            return scheme.Scheme;
        }
        if (destination.First(RuleKind.TaxMinimum, context, lines) is { } minimum && sum <= context.Convert(minimum.Amount!.Value, minimum.Currency!.Value))
        {
            // Switzerland: import VAT of CHF 5 or less is not collected.
            charges.RemoveRange(first, charges.Count - first);
            charges.Add(new(ChargeKind.Tax, 0m, currency, minimum, LandedCharge.BasisForm.Relief, sum, subject: "not collected at or below {threshold}", threshold: context.Convert(minimum.Amount!.Value, minimum.Currency!.Value)));
        }
        return null;
    }

    private static void Fees(Destination destination, Context context, QuoteLine[] lines, decimal goods, int items, List<LandedCharge> charges)
    {
        foreach (var fee in destination.All(RuleKind.Fee))
        {
            if (!destination.Applies(fee, context, lines))
            {
                continue;
            }
            if (fee.Max is not null && goods > context.Convert(fee.Max.Value, fee.Currency!.Value))
            {
                continue;
            }
            var per = context.Convert(fee.Amount!.Value, fee.Currency!.Value);
            var count = fee.Per == "item" ? items : 1;
            charges.Add(new(ChargeKind.Fee, Round(per * count, context.Currency), context.Currency, fee, LandedCharge.BasisForm.PerCount, per, count: count, subject: fee.Per == "item" ? "items" : "consignment"));
        }
    }

    /// <summary>True when the basis value is within the rule's threshold (at most, or below when strict), converted at the date's rate.</summary>
    private static bool Within(decimal basis, CustomsRule rule, Context context, out decimal threshold)
    {
        // A flat duty, fee or flat tax has its own amount; its threshold is 'max'.
        var limit = rule.Kind is CustomsRuleBook.FlatDuty or CustomsRuleBook.Fee or CustomsRuleBook.FlatTax ? rule.Max : rule.Amount;
        if (limit is null || rule.Currency is null)
        {
            threshold = 0;
            return true;
        }
        threshold = context.Convert(limit.Value, rule.Currency.Value);
        return rule.Strict ? basis < threshold : basis <= threshold;
    }

    private bool WithinSdr(decimal goods, Currency currency, DateOnly date, decimal sdr) =>
        _rates.UsdPerSdr is not { } usdPerSdr || !Factor(_usd, currency, date, out var factor, out _) || goods <= sdr * usdPerSdr * factor;

    /// <summary>Units of <paramref name="to"/> per unit of <paramref name="from"/> on the date .</summary>
    private bool Factor(Currency from, Currency to, DateOnly date, out decimal factor, out string? reason) => Factor(from, to, date, out factor, out reason, out _);

    /// <summary>As <see cref="Factor(Currency, Currency, DateOnly, out decimal, out string?)"/>, with the publication date of the rate (null within one currency).</summary>
    private bool Factor(Currency from, Currency to, DateOnly date, out decimal factor, out string? reason, out DateOnly? published)
    {
        reason = null;
        published = null;
        if (from == to)
        {
            factor = 1m;
            return true;
        }
        if (!_rates.TryGetRate(from, date, out var fromPerEuro, out _) || !_rates.TryGetRate(to, date, out var toPerEuro, out var publishedOn))
        {
            factor = 0;
            _ = _rates.TryGetRate(from, date, out _, out _, out reason) && _rates.TryGetRate(to, date, out _, out _, out reason);
            return false;
        }
        // Twelve decimal places are far beyond the ECB's five or six significant digits, and keep later arithmetic on the fast path.
        factor = decimal.Round(toPerEuro / fromPerEuro, 12);
        published = publishedOn;
        return true;
    }

    private static decimal Round(decimal amount, Currency currency) => decimal.Round(amount, currency.MinorUnits, MidpointRounding.AwayFromZero);


    /// <summary>A rule in one sentence: what it says, where, its source and its effective dates; an unverified rule says what it assumes.</summary>
    public static string Describe(CustomsRule rule) => Sentences.GetOrAdd(rule, static r =>
    {
        var place = r.Where switch
        {
            "EU" => "EU",
            CustomsRuleBook.Everywhere => "Every destination without a rule of its own",
            var code => CountryCode.TryCreate(code, out var country, out _) ? CountryNames.Of(country) : code,
        };
        var money = r.Amount is { } amount && r.Currency is { } currency ? string.Create(CultureInfo.InvariantCulture, $"{currency.Code} {amount:#,0.##}") : "";
        var max = r.Max is { } m && r.Currency is { } c ? string.Create(CultureInfo.InvariantCulture, $"{c.Code} {m:#,0.##}") : "";
        var what = r.Kind switch
        {
            CustomsRuleBook.DutyDeMinimis => $"no customs duty on consignments valued at {(r.Strict ? "less than" : "most")} {money}",
            CustomsRuleBook.TaxDeMinimis => r.Amount == 0 ? "import tax on every consignment" : $"no import tax on consignments valued at most {money}",
            CustomsRuleBook.TaxMinimum => $"import tax of {money} or less is not collected",
            CustomsRuleBook.Scheme => $"{r.Scheme}: a registered seller collects the tax at checkout on {(r.Basis == "item" ? "items" : "consignments")} {(r.Basis == "tax" ? $"whose import tax would be at most {money}" : $"valued at {(r.Strict ? "less than" : "most")} {money}")}",
            CustomsRuleBook.FlatDuty => $"a flat duty of {money} per {r.Per?.Replace('_', ' ')} replaces the tariff on consignments up to {max}",
            CustomsRuleBook.Fee => $"a fee of {money} per {r.Per}{(max.Length > 0 ? $" on consignments up to {max}" : "")}",
            CustomsRuleBook.DutyFreeChapters => $"no customs duty on goods of HS chapters {r.Chapters[0]} to {r.Chapters[^1]}",
            CustomsRuleBook.FlatTax => string.Create(CultureInfo.InvariantCulture, $"a flat {r.Percent:0.##}% replaces duty and tax{(max.Length > 0 ? $" on consignments up to {max}" : "")}"),
            CustomsRuleBook.Valuation => $"customs value {(r.IncludesShipping ? "includes" : "excludes")} transport to the border; the import-tax base adds the duty{(r.TaxIncludesShipping ? " and transport" : "")}{(r.TaxGrossUp ? " and the tax itself" : "")}",
            CustomsRuleBook.AdditionalDuty => string.Create(CultureInfo.InvariantCulture, $"an additional duty of {r.Percent:0.##}% on the customs value"),
            CustomsRuleBook.DutyRate => string.Create(CultureInfo.InvariantCulture, $"duty at {r.Percent:0.##}% in place of the tariff"),
            CustomsRuleBook.DutyBands => string.Join("; ", r.Bands.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Percent:0.##}%{(b.Deduct > 0 ? $" less {r.Currency?.Code} {b.Deduct:0.##}" : "")} up to {r.Currency?.Code} {b.UpTo:#,0.##}"))) + " in place of the tariff",
            CustomsRuleBook.Embargo => $"embargo: {r.Reason}",
            _ => r.Kind,
        };
        var filters = (r.Mode is null ? "" : $" by {r.Mode}")
            + (r.ShippedFrom.Count > 0 ? $" shipped from {string.Join(", ", r.ShippedFrom)}" : "")
            + (r.OriginIn.Count > 0 ? $" made in {string.Join(", ", r.OriginIn)}" : "")
            + (r.OriginNotIn.Count > 0 ? " made outside its trade partners" : "")
            + (r.Excludes.Count > 0 ? $" (not {string.Join(", ", r.Excludes).Replace('_', ' ')} goods)" : "");
        var period = r.From == DateOnly.MinValue || r.From.Year <= 1900
            ? r.To is { } until ? $"in force until {until:yyyy-MM-dd}" : "in force without a start date in the book"
            : r.To is { } to ? $"in force from {r.From:yyyy-MM-dd} to {to:yyyy-MM-dd}" : $"in force since {r.From:yyyy-MM-dd}";
        var sentence = string.Create(CultureInfo.InvariantCulture, $"{place}: {what}{filters}, {period} (rule {r.Id}; {r.Source}).");
        return r.Verified ? sentence : $"{sentence} Unverified: {r.Note}";
    });

    private static FrozenDictionary<CountryCode, (DateOnly, Currency)[]> LoadCurrencies(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new Dictionary<CountryCode, (DateOnly, Currency)[]>();
        foreach (var country in document.RootElement.GetProperty("items").EnumerateObject())
        {
            if (!CountryCode.TryCreate(country.Name, out var code, out _))
            {
                throw new InvalidDataException($"{path}: '{country.Name}' is not a country code.");
            }
            result[code] = [.. country.Value.EnumerateArray().Select(p =>
                (DateOnly.TryParseExact(p.GetProperty("from").GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                    ? from : throw new InvalidDataException($"{path}: {country.Name}: 'from' is not a yyyy-MM-dd date."),
                 Common.Currency.TryCreate(p.GetProperty("currency").GetString(), out var currency, out _)
                    ? currency : throw new InvalidDataException($"{path}: {country.Name}: '{p.GetProperty("currency").GetString()}' is not an ISO 4217 currency.")))
                .OrderByDescending(p => p.Item1)];
        }
        return result.ToFrozenDictionary();
    }

    /// <summary>The quote being computed: converts the rules' amounts into its currency at the date's rate, once per currency.</summary>
    private sealed class Context(LandedCostCalculator calculator, QuoteRequest request, Currency currency, DateOnly date)
    {
        private Currency _lastFrom;
        private decimal _lastFactor;

        public LandedCostCalculator Calculator { get; } = calculator;

        public QuoteRequest Request { get; } = request;

        public Currency Currency { get; } = currency;

        public DateOnly Date { get; } = date;

        public decimal Convert(decimal amount, Currency from)
        {
            if (from == Currency)
            {
                return amount;
            }
            if (from != _lastFrom)
            {
                if (!Calculator.Factor(from, Currency, Date, out var factor, out var reason))
                {
                    throw new InvalidOperationException($"No rate to convert the rule book's {from} into {Currency} on {Date:yyyy-MM-dd}: {reason}");
                }
                _lastFrom = from;
                _lastFactor = factor;
            }
            return amount * _lastFactor;
        }
    }

    /// <summary>The kinds of the rule book, as array indexes.</summary>
    private enum RuleKind
    {
        DutyDeMinimis,
        TaxDeMinimis,
        TaxMinimum,
        Scheme,
        FlatDuty,
        Fee,
        DutyFreeChapters,
        FlatTax,
        Embargo,
        Valuation,
        AdditionalDuty,
        DutyRate,
        DutyBands,
    }

    /// <summary>One destination's rules by kind, with the test of whether a rule applies to a quote.</summary>
    private sealed class Destination
    {
        private static readonly FrozenDictionary<string, RuleKind> KindOf = new Dictionary<string, RuleKind>(StringComparer.Ordinal)
        {
            [CustomsRuleBook.DutyDeMinimis] = RuleKind.DutyDeMinimis,
            [CustomsRuleBook.TaxDeMinimis] = RuleKind.TaxDeMinimis,
            [CustomsRuleBook.TaxMinimum] = RuleKind.TaxMinimum,
            [CustomsRuleBook.Scheme] = RuleKind.Scheme,
            [CustomsRuleBook.FlatDuty] = RuleKind.FlatDuty,
            [CustomsRuleBook.Fee] = RuleKind.Fee,
            [CustomsRuleBook.DutyFreeChapters] = RuleKind.DutyFreeChapters,
            [CustomsRuleBook.FlatTax] = RuleKind.FlatTax,
            [CustomsRuleBook.Embargo] = RuleKind.Embargo,
            [CustomsRuleBook.Valuation] = RuleKind.Valuation,
            [CustomsRuleBook.AdditionalDuty] = RuleKind.AdditionalDuty,
            [CustomsRuleBook.DutyRate] = RuleKind.DutyRate,
            [CustomsRuleBook.DutyBands] = RuleKind.DutyBands,
        }.ToFrozenDictionary(StringComparer.Ordinal);

        /// <summary>The destination's rules of each kind (indexed by <see cref="RuleKind"/>), those with filters first.</summary>
        private readonly CustomsRule[][] _byKind;
        private readonly FrozenDictionary<string, int[]> _categories;

        public Destination(CustomsRuleBook book, CountryCode country, FrozenDictionary<string, int[]> categories)
        {
            // Rules with filters first: when several of one kind apply, the specific one wins.
            var rules = book.For(country);
            _byKind = [.. Enum.GetValues<RuleKind>().Select(k => rules.Where(r => KindOf[r.Kind] == k).OrderBy(r => r.HasFilters ? 0 : 1).ToArray())];
            _categories = categories;
        }

        public CustomsRule? Embargo(DateOnly date)
        {
            foreach (var rule in _byKind[(int)RuleKind.Embargo])
            {
                if (rule.InForceOn(date))
                {
                    return rule;
                }
            }
            return null;
        }

        public CustomsRule? First(RuleKind kind, Context context, QuoteLine[] lines)
        {
            foreach (var rule in _byKind[(int)kind])
            {
                if (Applies(rule, context, lines))
                {
                    return rule;
                }
            }
            return null;
        }

        public CustomsRule[] All(RuleKind kind) => _byKind[(int)kind];

        /// <summary>The collection scheme that covers the quote: in force, the seller registered, no excluded goods, within its threshold.</summary>
        public CustomsRule? Scheme(Context context, QuoteLine[] lines, ReadOnlySpan<decimal> value, decimal goods, decimal transport)
        {
            foreach (var rule in _byKind[(int)RuleKind.Scheme])
            {
                if (!context.Request.RegisteredSchemes.Contains(rule.Scheme!) || !Applies(rule, context, lines))
                {
                    continue;
                }
                var limit = context.Convert(rule.Amount!.Value, rule.Currency!.Value);
                var fits = true;
                switch (rule.Basis)
                {
                    case "item":
                        // Norway's VOEC: every item under NOK 3,000.
                        for (var i = 0; i < lines.Length && fits; i++)
                        {
                            var unit = value[i] / lines[i].Quantity;
                            fits = rule.Strict ? unit < limit : unit <= limit;
                        }
                        break;
                    case "tax":
                        // Switzerland: the small consignments whose import tax would be at most CHF 5 (standard rate on goods and transport).
                        fits = context.Calculator._vat.StandardOn(context.Request.To, context.Date) is { } standard && (goods + transport) * standard.Percent * 0.01m <= limit;
                        break;
                    default:
                        var basis = goods + (rule.IncludesShipping ? transport : 0m);
                        fits = rule.Strict ? basis < limit : basis <= limit;
                        break;
                }
                if (fits)
                {
                    return rule;
                }
            }
            return null;
        }

        public bool Applies(CustomsRule rule, Context context, QuoteLine[] lines)
        {
            var request = context.Request;
            if (!rule.InForceOn(context.Date))
            {
                return false;
            }
            if (rule.Mode is { } mode && (mode == "postal") != (request.Mode == ShippingMode.Postal))
            {
                return false;
            }
            if (rule.ShippedFrom.Count > 0 && !In(rule.ShippedFrom, request.From))
            {
                return false;
            }
            if (rule.NotShippedFrom.Count > 0 && In(rule.NotShippedFrom, request.From))
            {
                return false;
            }
            for (var i = 0; i < lines.Length; i++)
            {
                if ((rule.OriginIn.Count > 0 && !In(rule.OriginIn, lines[i].Origin)) || (rule.OriginNotIn.Count > 0 && In(rule.OriginNotIn, lines[i].Origin)))
                {
                    return false;
                }
                for (var c = 0; c < rule.Excludes.Count; c++)
                {
                    if (InCategory(rule.Excludes[c], lines[i].Subheading))
                    {
                        return false;
                    }
                }
            }
            return true;
        }

        private bool InCategory(string category, int subheading)
        {
            foreach (var encoded in _categories.GetValueOrDefault(category) ?? [])
            {
                var digits = encoded % 10;
                var prefix = encoded / 10;
                var matches = digits switch
                {
                    2 => subheading / 10000 == prefix / 10000,
                    4 => subheading / 100 == prefix / 100,
                    _ => subheading == prefix,
                };
                if (matches)
                {
                    return true;
                }
            }
            return false;
        }

        private static bool In(IReadOnlyList<string> places, CountryCode country)
        {
            for (var i = 0; i < places.Count; i++)
            {
                if (places[i] == country.Value || (places[i] == "EU" && CustomsUnions.InEu(country)))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Spreads a consignment's duty over its lines by their share of the value, for the import-tax base of each.</summary>
    private static void Spread(decimal amount, ReadOnlySpan<decimal> share, Span<decimal> duty)
    {
        for (var i = 0; i < share.Length; i++)
        {
            duty[i] = amount * share[i];
        }
    }
}
