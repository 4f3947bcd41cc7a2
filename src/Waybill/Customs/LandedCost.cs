using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
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

/// <summary>
/// One checked line of a quote: the goods' HS 2022 subheading (as an int, 610910), origin, count and unit value. The
/// calculator's forms of the code and amounts (<see cref="Subheading"/>, micros) are kept in step by the setters, also
/// through <c>with</c>.
/// </summary>
public readonly record struct QuoteLine
{
    private readonly HsCode _hsCode;
    private readonly decimal _unitValue;
    private readonly decimal _unitWeightKg;

    public QuoteLine(HsCode hsCode, CountryCode origin, int quantity, decimal unitValue, decimal unitWeightKg)
    {
        HsCode = hsCode;
        Origin = origin;
        Quantity = quantity;
        UnitValue = unitValue;
        UnitWeightKg = unitWeightKg;
    }

    /// <summary>A line whose calculator forms are known already (the endpoint's reader has them from the digits it read).</summary>
    internal QuoteLine(HsCode hsCode, int subheading, int ordinal, CountryCode origin, int quantity, decimal unitValue, long unitValueMicros, decimal unitWeightKg,
        long unitWeightMicros)
    {
        _hsCode = hsCode;
        Subheading = subheading;
        Ordinal = ordinal;
        Origin = origin;
        Quantity = quantity;
        _unitValue = unitValue;
        UnitValueMicros = unitValueMicros;
        _unitWeightKg = unitWeightKg;
        UnitWeightMicros = unitWeightMicros;
    }

    public HsCode HsCode
    {
        get => _hsCode;
        init
        {
            _hsCode = value;
            Subheading = value.Digits is null ? 0 : int.Parse(value.Digits.AsSpan(0, 6), NumberStyles.None, CultureInfo.InvariantCulture);
            Ordinal = HsNomenclature.Default.Ordinals.Of(Subheading);
        }
    }

    public CountryCode Origin { get; init; }

    public int Quantity { get; init; }

    public decimal UnitValue
    {
        get => _unitValue;
        init
        {
            _unitValue = value;
            UnitValueMicros = Micros.OrInvalid(value);
        }
    }

    public decimal UnitWeightKg
    {
        get => _unitWeightKg;
        init
        {
            _unitWeightKg = value;
            UnitWeightMicros = Micros.OrInvalid(value);
        }
    }

    public int Subheading { get; private init; }

    /// <summary>
    /// The subheading's place in the HS 2022 nomenclature (<see cref="SubheadingOrdinals"/>), found when the line is
    /// made (-1 for a code the nomenclature does not have): the calculator reads the duty tables by it.
    /// </summary>
    internal int Ordinal { get; private init; }

    /// <summary>The unit value in micros (<see cref="Micros.Invalid"/> beyond the calculator's range).</summary>
    internal long UnitValueMicros { get; private init; }

    /// <summary>The unit weight in micrograms of a kilogram (<see cref="Micros.Invalid"/> beyond range).</summary>
    internal long UnitWeightMicros { get; private init; }
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
    IReadOnlySet<string> RegisteredSchemes)
{
    private readonly decimal _shipping = Shipping;
    private readonly decimal _insurance = Insurance;

    public decimal Shipping
    {
        get => _shipping;
        init
        {
            _shipping = value;
            ShippingMicros = Micros.OrInvalid(value);
        }
    }

    public decimal Insurance
    {
        get => _insurance;
        init
        {
            _insurance = value;
            InsuranceMicros = Micros.OrInvalid(value);
        }
    }

    internal long ShippingMicros { get; private init; } = Micros.OrInvalid(Shipping);

    internal long InsuranceMicros { get; private init; } = Micros.OrInvalid(Insurance);
}

/// <summary>What a charge is: the goods and transport themselves, or what the border adds.</summary>
public enum ChargeKind : byte
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
/// are written when read, so that the calculator itself does not format text. Amounts are kept in the calculator's
/// fixed point (<see cref="Micros"/>) and become decimals when read. A value: a quote's charges are one array.
/// </summary>
#pragma warning disable CA1815 // Charges are read, never compared.
public readonly struct LandedCharge
#pragma warning restore CA1815
{
    // 48 bytes and no object reference (see ChargeSources): a quote's charges are its largest allocation (each byte
    // of it costs the quote's time: a quote without the array ran a fifth faster), and the calculator builds them on
    // the stack without clearing it first. A charge has a count or a threshold, never both: they share a field.
    private readonly long _minor;
    private readonly long _value;
    private readonly long _rate;
    private readonly long _countOrThreshold;
    private readonly int _subheading;
    private readonly uint _source;
    private readonly short _line;
    private readonly ushort _currency;
    private readonly byte _subject;
    private readonly ChargeKind _kind;
    private readonly byte _formAndVerified;
    private readonly byte _minorUnits;

    private const byte VerifiedFlag = 0x80;

    /// <summary>
    /// <paramref name="micros"/>, <paramref name="value"/> and <paramref name="threshold"/> are micros of
    /// the currency (<paramref name="currency"/>: its code as a number, <see cref="Currency.Place"/>, with its
    /// <paramref name="minorUnits"/>); the amount is rounded half away from zero to its minor unit here. <paramref name="rate"/>
    /// is the rate applied, in the fixed point of <see cref="Micros"/>.
    /// <paramref name="subject"/> is a constant template: <c>{line}</c>, <c>{threshold}</c> and <c>{count}</c> are filled
    /// in when <see cref="Basis"/> is read.
    /// </summary>
    internal LandedCharge(ChargeKind kind, long micros, ushort currency, byte minorUnits, ChargeSource source, BasisForm form, long value = 0, long rate = 0,
        int count = 0, byte subject = 0, int line = -1, int subheading = 0, long threshold = 0)
    {
        if (count != 0 && threshold != 0)
        {
            throw new ArgumentException("A charge has a count or a threshold, not both.", nameof(threshold));
        }
        _kind = kind;
        _minor = Micros.ToMinor(micros, minorUnits);
        _currency = currency;
        _minorUnits = minorUnits;
        _source = source.Id;
        _formAndVerified = (byte)((byte)form | (source.Verified ? VerifiedFlag : 0));
        _value = value;
        _rate = rate;
        _countOrThreshold = count != 0 ? count : threshold;
        _subject = subject;
        _line = checked((short)line); // a quote of more than 32,767 lines is refused as too large (OverflowException)
        _subheading = subheading;
    }

    /// <summary>The number of a basis template (<c>{line}</c>, <c>items</c>, ...) for the constructor.</summary>
    internal static byte SubjectOf(string? template) => (byte)ChargeSources.Subjects.IdOf(template);

    internal enum BasisForm : byte
    {
        Value,
        Percent,
        PerCount,
        Relief,
        GrossUp,
        Band,
    }

    public ChargeKind Kind => _kind;

    /// <summary>Rounded half away from zero to the currency's minor unit.</summary>
    public decimal Amount => Micros.MinorToDecimal(_minor, _minorUnits);

    /// <summary>The amount as a count of the currency's minor units.</summary>
    internal long Minor => _minor;

    /// <summary>True unless the rule or rate behind it is flagged unverified (or is an estimate).</summary>
    public bool Verified => (_formAndVerified & VerifiedFlag) != 0;

    private BasisForm Form => (BasisForm)(_formAndVerified & ~VerifiedFlag);

    private long Threshold => _countOrThreshold;

    private int Count => (int)_countOrThreshold;

    /// <summary>The rule, rate or sentence the charge comes from (null for none).</summary>
    private object? Source => ChargeSource.Resolve(_source);

    /// <summary>The basis template, with its <c>{line}</c>, <c>{threshold}</c> and <c>{count}</c> to fill in.</summary>
    private string? Subject => ChargeSources.Subjects.Of(_subject);

    /// <summary>What the amount is computed on, in words (written from the integers, in one buffer).</summary>
    public string Basis
    {
        [SkipLocalsInit]
        get
        {
            var text = new BasisText(stackalloc byte[BasisText.Capacity], json: false);
            WriteBasis(ref text);
            return text.Failed ? throw new InvalidOperationException("A basis sentence outgrew its buffer.") : Encoding.UTF8.GetString(text.Written);
        }
    }

    /// <summary>
    /// Writes the basis property (<c>,"basis":</c> and <see cref="Basis"/> as a JSON string) straight into the answer, escaped as <see cref="Utf8JsonWriter"/>
    /// escapes it by default (the sentence is plain ASCII but for the multiplication sign, <c>\u00D7</c>); a sentence
    /// with anything else in it (never, with the calculator's templates) is encoded from its text instead.
    /// </summary>
    internal void WriteBasisJson(ref JsonOut json)
    {
        var text = new BasisText(json.Reserve(BasisText.Capacity + 12), json: true);
        text.Append(",\"basis\":\""u8);
        WriteBasis(ref text);
        text.Append("\""u8);
        if (text.Failed)
        {
            json.Raw(",\"basis\":"u8);
            json.Encoded(JsonEncodedText.Encode(Basis));
            return;
        }
        json.Advance(text.Written.Length);
    }

    private void WriteBasis(ref BasisText text)
    {
        switch (Form)
        {
            case BasisForm.Value:
                if (_subject != 0)
                {
                    AppendSubject(ref text);
                    text.Append(": "u8);
                }
                AppendMoney(ref text, _value);
                break;
            case BasisForm.Percent:
            case BasisForm.GrossUp:
                AppendPercent(ref text, _rate);
                text.Append(" of "u8);
                AppendMoney(ref text, _value);
                if (Form == BasisForm.GrossUp)
                {
                    text.Append(" grossed up (the tax is part of its own base)"u8);
                }
                if (_subject != 0)
                {
                    text.Append(" ("u8);
                    AppendSubject(ref text);
                    text.Append(")"u8);
                }
                break;
            case BasisForm.PerCount:
                AppendMoney(ref text, _value);
                text.Append(" "u8);
                text.Times();
                text.Append(" "u8);
                text.Append(Count);
                text.Append(" "u8);
                AppendSubject(ref text);
                break;
            case BasisForm.Relief:
                AppendSubject(ref text);
                text.Append(": "u8);
                AppendMoney(ref text, _value);
                break;
            case BasisForm.Band:
                AppendPercent(ref text, _rate);
                text.Append(" of "u8);
                AppendMoney(ref text, _value);
                if (Threshold > 0)
                {
                    text.Append(" less "u8);
                    AppendMoney(ref text, Threshold);
                }
                break;
            default:
                break;
        }
    }

    /// <summary>The subject template with <c>{line}</c>, <c>{threshold}</c> and <c>{count}</c> filled in.</summary>
    private void AppendSubject(ref BasisText text)
    {
        var template = SubjectTemplate.Of(_subject);
        if (!template.Plain)
        {
            text.NotPlain();
        }
        foreach (var (literal, placeholder) in template.Parts)
        {
            text.Append(literal);
            switch (placeholder)
            {
                case SubjectTemplate.Placeholder.Line when _line >= 0:
                    // lines[0], HS 6109.10
                    text.Append("lines["u8);
                    text.Append(_line);
                    text.Append("], HS "u8);
                    text.Append(_subheading / 100, 4);
                    text.Append("."u8);
                    text.Append(_subheading % 100, 2);
                    break;
                case SubjectTemplate.Placeholder.Threshold:
                    AppendMoney(ref text, Threshold);
                    break;
                case SubjectTemplate.Placeholder.Count:
                    text.Append(Count);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>
    /// A basis template split once into its literal parts (UTF-8) and the placeholders between them, so that a sentence
    /// is written without searching the template for braces. Kept by subject number.
    /// </summary>
    private sealed class SubjectTemplate
    {
        private static SubjectTemplate?[] s_compiled = new SubjectTemplate?[byte.MaxValue + 1];

        private SubjectTemplate(string? template)
        {
            var parts = new List<(byte[], Placeholder)>();
            var rest = template.AsSpan();
            var literal = new StringBuilder();
            while (rest.IndexOf('{') is var open and >= 0)
            {
                literal.Append(rest[..open]);
                rest = rest[open..];
                var placeholder = rest.StartsWith("{line}", StringComparison.Ordinal) ? Placeholder.Line
                    : rest.StartsWith("{threshold}", StringComparison.Ordinal) ? Placeholder.Threshold
                    : rest.StartsWith("{count}", StringComparison.Ordinal) ? Placeholder.Count
                    : Placeholder.None;
                if (placeholder == Placeholder.None)
                {
                    literal.Append('{'); // a brace that opens no placeholder is text
                    rest = rest[1..];
                    continue;
                }
                parts.Add((Encoding.UTF8.GetBytes(literal.ToString()), placeholder));
                literal.Clear();
                rest = rest[(rest.IndexOf('}') + 1)..];
            }
            literal.Append(rest);
            parts.Add((Encoding.UTF8.GetBytes(literal.ToString()), Placeholder.None));
            Parts = [.. parts];
            Plain = !(template ?? "").AsSpan().ContainsAnyExcept(JsonOut.Plain);
        }

        public enum Placeholder : byte
        {
            None,
            Line,
            Threshold,
            Count,
        }

        /// <summary>Each literal part and the placeholder that follows it (none after the last).</summary>
        public (byte[] Literal, Placeholder Next)[] Parts { get; }

        /// <summary>Plain ASCII only (<see cref="JsonOut.Plain"/>): the sentence goes into JSON as it is written.</summary>
        public bool Plain { get; }

        public static SubjectTemplate Of(byte subject) =>
            Volatile.Read(ref s_compiled[subject]) ?? Compile(subject);

        private static SubjectTemplate Compile(byte subject)
        {
            var template = new SubjectTemplate(ChargeSources.Subjects.Of(subject));
            Volatile.Write(ref s_compiled[subject], template); // every thread compiles the same parts
            return template;
        }
    }

    /// <summary>Micros rounded to the minor unit and written with its decimals and the currency code (12.30 EUR), as the answer's amounts are.</summary>
    private void AppendMoney(ref BasisText text, long micros)
    {
        text.AppendMinor(Micros.ToMinor(micros, _minorUnits), _minorUnits);
        text.Append(" "u8);
        text.Append([(byte)('A' + (_currency / 676)), (byte)('A' + (_currency / 26 % 26)), (byte)('A' + (_currency % 26))]);
    }

    /// <summary>A rate as a percentage with at most four decimals and no trailing zeros (19%, 5.5%, 16.25%).</summary>
    private static void AppendPercent(ref BasisText text, long rate)
    {
        // Ten-thousandths of a percent, rounded half away from zero.
        var units = (rate + 5_000) / 10_000;
        text.Append(units / 10_000);
        var fraction = units % 10_000;
        if (fraction > 0)
        {
            var digits = 4;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
            text.Append("."u8);
            text.Append(fraction, digits);
        }
        text.Append("%"u8);
    }

    /// <summary>
    /// A basis sentence being written as UTF-8 into a buffer: the answer's own (<c>json</c>: the multiplication sign
    /// escaped, as the writer's default encoder escapes it) or one on the stack for <see cref="Basis"/>. In JSON, text
    /// from a template goes in only when it is plain ASCII (<see cref="JsonOut.Plain"/>); otherwise, or when the buffer
    /// is full, the sentence is marked <see cref="Failed"/> and its writer takes the slow way.
    /// </summary>
    private ref struct BasisText(Span<byte> buffer, bool json)
    {
        public const int Capacity = 320;

        private readonly Span<byte> _buffer = buffer;
        private readonly bool _json = json;
        private int _length;

        public bool Failed { get; private set; }

        public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(scoped ReadOnlySpan<byte> text)
        {
            if (!text.TryCopyTo(_buffer[_length..]))
            {
                Failed = true;
                return;
            }
            _length += text.Length;
        }

        /// <summary>Template text (a subject, a currency code) as UTF-8; in JSON, plain ASCII only (anything else fails the sentence).</summary>
        public void Append(scoped ReadOnlySpan<char> text)
        {
            if ((_json && text.ContainsAnyExcept(JsonOut.Plain)) || !Encoding.UTF8.TryGetBytes(text, _buffer[_length..], out var written))
            {
                Failed = true;
                return;
            }
            _length += written;
        }

        /// <summary>Text other than plain ASCII follows: in JSON, the sentence fails (its writer takes the slow way).</summary>
        public void NotPlain() => Failed |= _json;

        /// <summary>The multiplication sign.</summary>
        public void Times() => Append(_json ? "\\u00D7"u8 : "×"u8);

        /// <summary>A non-negative number in decimal digits, with leading zeros up to <paramref name="minDigits"/>.</summary>
        public void Append(long value, int minDigits = 1) => Advance(Micros.WriteDigits((ulong)value, minDigits, _buffer[_length..]));

        /// <summary>An amount from its minor units, as the answer's JSON numbers write it (<see cref="Micros.FormatMinor"/>).</summary>
        public void AppendMinor(long minor, int minorUnits) =>
            Advance(_buffer.Length - _length < 24 ? -1 : Micros.FormatMinor(minor, minorUnits, _buffer[_length..]));

        /// <summary>Counts <paramref name="written"/> bytes in, or marks the sentence failed (-1: no room).</summary>
        private void Advance(int written)
        {
            if (written < 0)
            {
                Failed = true;
                return;
            }
            _length += written;
        }
    }

    /// <summary>The rule in a sentence, naming it and its effective date (written once per rule or rate, then reused).</summary>
    public string Rule => Source switch
    {
        MissingRate missing => missing.Sentence, // made per quote: not kept
        var source => TextOf(source),
    };

    /// <summary>The sentence of a rule, rate or fixed sentence (not a missing rate).</summary>
    private static string TextOf(object? source) => source switch
    {
        CustomsRule rule => LandedCostCalculator.Describe(rule),
        null => "",
        FixedSentence sentence => sentence.Text,
        _ => SourceSentences.GetOrAdd(source, Describe), // the shipped rates and tariffs: a bounded set
    };

    private static readonly ConcurrentDictionary<object, string> SourceSentences = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The rule property (<c>,"rule":</c> and <see cref="Rule"/> as a JSON string): the encoded text kept on the rule or rate itself once written (an answer
    /// copies it instead of escaping it again), or the sentence of a destination without a VAT rate written from its
    /// parts.
    /// </summary>
    internal void WriteRuleJson(ref JsonOut json)
    {
        if (_source >= ChargeSource.FirstMissing)
        {
            json.Raw(",\"rule\":"u8);
            MissingRate.WriteJson(ref json, _source);
            return;
        }
        json.Raw(RuleSentences.Of(_source) ?? RuleSentences.Add(_source, RuleJsonOf(Source)));
    }

    /// <summary>The rule property of a source (<c>,"rule":</c> and its sentence as a JSON string), written once per source.</summary>
    private static byte[] RuleJsonOf(object? source)
    {
        ReadOnlySpan<byte> prefix = ",\"rule\":\""u8;
        var bytes = JsonEncodedText.Encode(TextOf(source)).EncodedUtf8Bytes;
        var quoted = new byte[prefix.Length + bytes.Length + 1];
        prefix.CopyTo(quoted);
        bytes.CopyTo(quoted.AsSpan(prefix.Length));
        quoted[^1] = (byte)'"';
        return quoted;
    }

    /// <summary>
    /// The rule properties (<c>,"rule":</c> and the sentence as a JSON string), by source number (<see cref="ChargeSources.Sources"/>): an answer copies the
    /// bytes of each charge's sentence from here, without looking at the rule itself.
    /// </summary>
    private static class RuleSentences
    {
        private static readonly Lock Gate = new();
        private static byte[]?[] s_bytes = new byte[]?[256];

        public static byte[]? Of(uint source)
        {
            var bytes = Volatile.Read(ref s_bytes);
            return source < (uint)bytes.Length ? bytes[source] : null;
        }

        public static byte[] Add(uint source, byte[] sentence)
        {
            lock (Gate)
            {
                var bytes = s_bytes;
                if (source >= (uint)bytes.Length)
                {
                    Array.Resize(ref bytes, (int)Math.Max(source + 1, (uint)bytes.Length * 2));
                }
                bytes[source] ??= sentence;
                Volatile.Write(ref s_bytes, bytes);
                return bytes[source]!;
            }
        }
    }

    private static string Describe(object source) => source switch
    {
        VatRate rate => $"{CountryNames.Of(rate.Country)}: {rate.Name} at the standard rate of {Percent(rate.Percent)}, in force since {Date(rate.EffectiveFrom)} ({rate.Source}).{(rate.Verified ? "" : $" Unverified: {rate.Note}")}",
        GoodsVatRate rate => $"{CountryNames.Of(rate.Country)}: the reduced rate of {Percent(rate.Percent)} for {rate.Category.Replace('_', ' ')}, in force since {Date(rate.EffectiveFrom)} ({rate.Source}).{(rate.Verified ? "" : $" Unverified: {rate.Note}")}",
        DutyRate rate => rate.Explanation,
        _ => "",
    };

    private static string Percent(decimal percent) => string.Create(CultureInfo.InvariantCulture, $"{percent:0.####}%");

    private static string Date(DateOnly date) => date == DateOnly.MinValue ? "before the data starts" : date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// An exchange rate as the calculator uses it: units of the target currency per unit of the source × 10^12 (the rate to
/// twelve decimals, exact), and the day the rate was published (<see cref="NoDate"/> within one currency).
/// </summary>
internal readonly record struct ExchangeFactor(long Trillionths, int PublishedDay)
{
    public const int NoDate = -1;

    public static ExchangeFactor Identity { get; } = new(Micros.FactorOf(1m), NoDate);

    /// <summary>The rate as a decimal without trailing zeros.</summary>
    public decimal Factor => Micros.FactorToDecimal(Trillionths);

    public DateOnly? Published => PublishedDay == NoDate ? null : DateOnly.FromDayNumber(PublishedDay);
}

/// <summary>
/// A rule's or rate's number as a charge's source (<see cref="ChargeSources"/>), kept beside it once given. It takes no
/// part in the equality of the record that holds it.
/// </summary>
internal sealed class SourceNumber
{
    private uint _id;

    /// <summary>The number of the rule or rate that holds this (<paramref name="owner"/>) in <see cref="ChargeSources.Sources"/>, given on first use.</summary>
    public uint Of(object owner)
    {
        var id = Volatile.Read(ref _id);
        if (id == 0)
        {
            id = (uint)ChargeSources.Sources.IdOf(owner);
            Volatile.Write(ref _id, id);
        }
        return id;
    }

    public override bool Equals(object? obj) => obj is SourceNumber;

    public override int GetHashCode() => 0;
}

/// <summary>The sentence of a charge that no rule makes (the goods, shipping and insurance themselves).</summary>
internal sealed class FixedSentence
{
    public static readonly FixedSentence Goods = new("The goods' value as declared.");
    public static readonly FixedSentence Shipping = new("The shipping price charged to the buyer.");
    public static readonly FixedSentence Insurance = new("The insurance charged to the buyer.");

    private FixedSentence(string text)
    {
        Text = text;
        Charge = ChargeSource.Of(this);
    }

    /// <summary>As a charge's source (verified).</summary>
    public ChargeSource Charge { get; }

    public string Text { get; }
}

/// <summary>A destination with no VAT/GST data: no import tax quoted, and the quote says so.</summary>
internal sealed record MissingRate(CountryCode Country, DateOnly Date)
{
    /// <summary>The country names as encoded JSON text, by country number: the sentence is written around them.</summary>
    private static readonly byte[]?[] EncodedNames = new byte[]?[LandedCostCalculator.Places];

    public string Sentence => string.Create(CultureInfo.InvariantCulture, $"Waybill has no VAT or GST rate for {CountryNames.Of(Country)} on {Date:yyyy-MM-dd}: no import tax is quoted.");

    /// <summary>
    /// The sentence of a charge's source number (<see cref="ChargeSource.Missing"/>: the country and day packed in it) as
    /// a JSON string, written from its parts without building the record or the sentence.
    /// </summary>
    internal static void WriteJson(ref JsonOut json, uint source)
    {
        var packed = source - ChargeSource.FirstMissing;
        var country = (int)(packed % LandedCostCalculator.Places);
        json.Raw("\"Waybill has no VAT or GST rate for "u8);
        json.Raw(Volatile.Read(ref EncodedNames[country]) ?? NameOf(country));
        json.Raw(" on "u8);
        json.Date(DateOnly.FromDayNumber((int)(packed / LandedCostCalculator.Places)));
        json.Raw(": no import tax is quoted.\""u8);
    }

    private static byte[] NameOf(int country)
    {
        var name = JsonEncodedText.Encode(CountryNames.Of(CountryCode.Parse(LandedCostCalculator.NameOf(country)))).EncodedUtf8Bytes.ToArray();
        Volatile.Write(ref EncodedNames[country], name); // every thread writes the same bytes
        return name;
    }
}

/// <summary>
/// A computed quote, every amount in <see cref="Currency"/> and rounded; <see cref="Total"/> is the sum of the charges.
/// The amounts are the charges' (counts of the currency's minor unit), added up by kind when read: kept in the quote as
/// well, they would be 56 more bytes to allocate and write for every quote.
/// </summary>
public sealed class LandedCostQuote
{
    private readonly LandedCharge[] _charges;
    private readonly ExchangeFactor _rate;

    /// <summary>The amounts are counts of the currency's minor unit (cents of EUR, yen).</summary>
    internal LandedCostQuote(Currency currency, string? scheme, string? collectedAt, DeclarationForm form, bool verified, LandedCharge[] charges, IReadOnlyList<GoodsRestriction> restrictions,
        ExchangeFactor rate)
    {
        Currency = currency;
        Scheme = scheme;
        CollectedAt = collectedAt;
        Form = form;
        Verified = verified;
        _charges = charges;
        Restrictions = restrictions;
        _rate = rate;
    }

    public Currency Currency { get; }

    public decimal Goods => Micros.MinorToDecimal(Minor.Goods, Currency.MinorUnits);

    public decimal Shipping => Micros.MinorToDecimal(Minor.Shipping, Currency.MinorUnits);

    public decimal Insurance => Micros.MinorToDecimal(Minor.Insurance, Currency.MinorUnits);

    public decimal Duty => Micros.MinorToDecimal(Minor.Duty, Currency.MinorUnits);

    public decimal Tax => Micros.MinorToDecimal(Minor.Tax, Currency.MinorUnits);

    public decimal Fees => Micros.MinorToDecimal(Minor.Fees, Currency.MinorUnits);

    public decimal Total => Micros.MinorToDecimal(Minor.Total, Currency.MinorUnits);

    /// <summary>The amounts as counts of the currency's minor unit, in the order of the answer: goods, shipping, insurance, duty, tax, fees, total.</summary>
    internal (long Goods, long Shipping, long Insurance, long Duty, long Tax, long Fees, long Total) Minor
    {
        get
        {
            Span<long> sums = stackalloc long[(int)ChargeKind.Fee + 1];
            foreach (ref readonly var charge in _charges.AsSpan())
            {
                sums[(int)charge.Kind] += charge.Minor;
            }
            var (goods, shipping, insurance) = (sums[(int)ChargeKind.Goods], sums[(int)ChargeKind.Shipping], sums[(int)ChargeKind.Insurance]);
            var (duty, tax, fees) = (sums[(int)ChargeKind.Duty], sums[(int)ChargeKind.Tax], sums[(int)ChargeKind.Fee]);
            return (goods, shipping, insurance, duty, tax, fees, goods + shipping + insurance + duty + tax + fees);
        }
    }

    /// <summary>The collection scheme under which the tax is collected at checkout (IOSS, UK_POS, ...); null when none.</summary>
    public string? Scheme { get; }

    /// <summary><c>checkout</c> or <c>delivery</c>; null when nothing is due.</summary>
    public string? CollectedAt { get; }

    public DeclarationForm Form { get; }

    /// <summary>False when any rule or rate behind the quote is flagged unverified (or is an estimate).</summary>
    public bool Verified { get; }

    public IReadOnlyList<LandedCharge> Charges => _charges;

    /// <summary>The charges, read without copying.</summary>
    internal ReadOnlySpan<LandedCharge> ChargeSpan => _charges;

    /// <summary>Restricted goods among the lines (allowed, with conditions).</summary>
    public IReadOnlyList<GoodsRestriction> Restrictions { get; }

    /// <summary>Units of <see cref="Currency"/> per unit of the requested currency on the date (1 within one currency).</summary>
    public decimal ExchangeRate => _rate.Factor;

    /// <summary><see cref="ExchangeRate"/> in trillionths, as the calculator keeps it.</summary>
    internal long ExchangeTrillionths => _rate.Trillionths;

    /// <summary>The publication date of the exchange rate used; null within one currency.</summary>
    public DateOnly? RateDate => _rate.Published;

    public static string FormName(DeclarationForm form) => form switch
    {
        DeclarationForm.Cn22 => "CN22",
        DeclarationForm.Cn23 => "CN23",
        _ => "commercial_invoice",
    };
}

/// <summary>
/// The landed cost of a parcel: goods, transport, duty, import tax and fees under the rules in force on the date, in the
/// destination's currency, each charge rounded half away from zero and the total their sum. In memory and synchronous.
/// Each destination is compiled once into plans, one per period in which none of its rules, rates, restrictions or
/// currency changes, so a quote finds what is in force with one binary search and computes in integer fixed point
/// (<see cref="Micros"/>): decimals only convert between currencies.
/// </summary>
public sealed class LandedCostCalculator
{
    public const string Checkout = "checkout";
    public const string Delivery = "delivery";

    /// <summary>Two-letter country codes as numbers and array indexes: (first - 'A') * 26 + (second - 'A') (<see cref="IndexOf"/>).</summary>
    internal const int Places = 26 * 26;

    private const long TwoKilograms = 2 * Micros.PerUnit;

    private static readonly Lazy<LandedCostCalculator> Shared = new(() => new LandedCostCalculator(
        CustomsRuleBook.Default, DutyTariffs.Default, VatRates.Default, GoodsVatRates.Default, GoodsRestrictions.Default, ExchangeRates.Default,
        ReferenceData.PathOf("customs", "currencies.json")));

    private static readonly ConcurrentDictionary<CustomsRule, string> Sentences = new(ReferenceEqualityComparer.Instance);

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

    private static readonly RuleKind[] AllKinds = Enum.GetValues<RuleKind>();

    // The basis templates, numbered once (a charge keeps the number; see ChargeSources).
    private static readonly byte ItemCountSubject = LandedCharge.SubjectOf("{count} item(s)");
    private static readonly byte GoodsAndTransportSubject = LandedCharge.SubjectOf("goods and transport");
    private static readonly byte NoDutyBelowSubject = LandedCharge.SubjectOf("no duty at or below {threshold}");
    private static readonly byte ItemCategoriesSubject = LandedCharge.SubjectOf("item categories");
    private static readonly byte LineSubject = LandedCharge.SubjectOf("{line}");
    private static readonly byte NoTaxBelowSubject = LandedCharge.SubjectOf("no import tax at or below {threshold}");
    private static readonly byte LineAtCheckoutSubject = LandedCharge.SubjectOf("{line}, collected at checkout");
    private static readonly byte TaxAtCheckoutSubject = LandedCharge.SubjectOf("no import tax: collected at checkout");
    private static readonly byte TaxNotCollectedSubject = LandedCharge.SubjectOf("not collected at or below {threshold}");
    private static readonly byte ItemsSubject = LandedCharge.SubjectOf("items");
    private static readonly byte ConsignmentSubject = LandedCharge.SubjectOf("consignment");

    private readonly CustomsRuleBook _book;
    private readonly DutyTariffs _tariffs;
    private readonly VatRates _vat;
    private readonly GoodsVatRates _goodsVat;
    private readonly GoodsRestrictions _restrictions;
    private readonly ExchangeRates _rates;
    private readonly FrozenDictionary<CountryCode, (DateOnly From, Currency Currency)[]> _currencies;
    private readonly Dictionary<CustomsRule, Rule> _rules;
    private readonly bool[] _inEu = new bool[Places];
    private readonly Destination?[] _destinations = new Destination?[Places];
    private readonly Currency _usd = Common.Currency.Parse("USD");
    private readonly long? _cn22LimitInDollars;
    private readonly FxCache _fx = new();

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
        // UPU: a CN22 covers goods up to 300 SDR.
        _cn22LimitInDollars = rates.UsdPerSdr is { } usdPerSdr ? Micros.Of(300m * usdPerSdr) : null;
        for (var i = 0; i < Places; i++)
        {
            _inEu[i] = CountryCode.TryCreate(NameOf(i), out var country, out _) && CustomsUnions.InEu(country);
        }
        // The book's categories of goods as ranges of subheadings, read once for every rule.
        var categories = book.Categories.ToDictionary(
            c => c.Key,
            c => c.Value.Select(p => HsRange.Of(int.Parse(p, CultureInfo.InvariantCulture), p.Length == 2 ? 10_000 : p.Length == 4 ? 100 : 1)).ToArray(),
            StringComparer.Ordinal);
        _rules = new Dictionary<CustomsRule, Rule>(ReferenceEqualityComparer.Instance);
        foreach (var rule in book.Rules)
        {
            _rules[rule] = new Rule(rule, KindOf[rule.Kind], categories, _inEu);
        }
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
    /// prohibits (<c>customs.prohibited_goods</c>, naming the line), no exchange rate on the date, or amounts beyond
    /// the calculator's range (<c>customs.quote_too_large</c>).
    /// </summary>
    public Result<LandedCostQuote> Quote(QuoteRequest request)
    {
        try
        {
            return Compute(request);
        }
        catch (OverflowException)
        {
            return new Error(ErrorKind.Unprocessable, "customs.quote_too_large",
                "The parcel's amounts, converted into the destination's currency, are beyond what Waybill quotes (9 trillion units of a currency).");
        }
    }

    [SkipLocalsInit] // the charges' buffer: written before it is read
    private Result<LandedCostQuote> Compute(QuoteRequest request)
    {
        // An array: the lines are read many times, and a list's interface indexer copies each one out.
        var lines = request.Lines as QuoteLine[] ?? [.. request.Lines];
        var date = request.Date;
        var to = IndexOf(request.To);
        var from = IndexOf(request.From);
        if (from == to || (from >= 0 && to >= 0 && _inEu[from] && _inEu[to]))
        {
            return NotCrossBorder(request);
        }
        var destination = DestinationOf(request.To, to);
        var plan = destination.At(date);
        // The rates and duty rows this quote will read are usually out of the processor's caches (another day, another
        // pair, another subheading each time): asking for them now lets their fetches overlap with the checks below.
        _fx.Prefetch(request.Currency, plan.Currency ?? request.Currency, date);
        if (request.Mode == ShippingMode.Postal)
        {
            _fx.Prefetch(_usd, plan.Currency ?? request.Currency, date);
        }
        for (var i = 0; i < lines.Length; i++)
        {
            destination.Tariff.Prefetch(lines[i].Ordinal);
        }
        if (plan.Embargo is { } embargo)
        {
            return Embargoed(request, embargo);
        }
        List<GoodsRestriction>? restrictions = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (plan.Prohibited.TryFind(lines[i].Subheading, out var prohibited))
            {
                return Prohibited(request, i, prohibited);
            }
            if (plan.Restricted.TryFind(lines[i].Subheading, out var restricted))
            {
                (restrictions ??= []).Add(restricted);
            }
        }

        var currency = plan.Currency ?? request.Currency;
        if (!RateOf(request.Currency, currency, date, out var rate))
        {
            return NoExchangeRate(request, currency);
        }
        var converts = request.Currency != currency;

        // Values in micros of the destination's currency, unrounded until they become charges. On the stack for a
        // usual parcel (a fixed buffer, not stackalloc: a method with stackalloc is never re-compiled with its profile).
        Unsafe.SkipInit(out LineAmounts values); // each line's value is written before it is read
        var value = lines.Length <= LineAmounts.Length ? ((Span<long>)values)[..lines.Length] : new long[lines.Length];
        long goods = 0, weight = 0;
        var items = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            value[i] = checked(Micros.Valid(lines[i].UnitValueMicros) * lines[i].Quantity);
            if (converts)
            {
                value[i] = Micros.Convert(value[i], rate.Trillionths);
            }
            goods = checked(goods + value[i]);
            items += lines[i].Quantity;
            weight = checked(weight + (Micros.Valid(lines[i].UnitWeightMicros) * lines[i].Quantity));
        }
        var shipping = Micros.Valid(request.ShippingMicros);
        var insurance = Micros.Valid(request.InsuranceMicros);
        if (converts)
        {
            shipping = Micros.Convert(shipping, rate.Trillionths);
            insurance = insurance == 0 ? 0 : Micros.Convert(insurance, rate.Trillionths);
        }
        var transport = checked(shipping + insurance);

        Unsafe.SkipInit(out ChargeBuffer buffer);
        var charges = new ChargeList(buffer, currency);
        charges.Add(ChargeKind.Goods, goods, FixedSentence.Goods.Charge, LandedCharge.BasisForm.Value, goods, count: items, subject: ItemCountSubject);
        charges.Add(ChargeKind.Shipping, shipping, FixedSentence.Shipping.Charge, LandedCharge.BasisForm.Value, shipping);
        if (insurance > 0)
        {
            charges.Add(ChargeKind.Insurance, insurance, FixedSentence.Insurance.Charge, LandedCharge.BasisForm.Value, insurance);
        }

        var context = new Context(this, request, lines, plan, currency);
        var valuation = context.First(RuleKind.Valuation);
        var dutyIncludesShipping = valuation?.Source.IncludesShipping ?? true;
        var taxIncludesShipping = valuation?.Source.TaxIncludesShipping ?? true;
        string? scheme = null;

        var duties = default(LineAmounts);
        var duty = lines.Length <= LineAmounts.Length ? ((Span<long>)duties)[..lines.Length] : new long[lines.Length];
        if (context.First(RuleKind.FlatTax) is { } flat && context.Within(goods + transport, flat, out _))
        {
            // One simplified rate replaces duty and tax (Turkey, Mexico's courier regime).
            var basis = goods + transport;
            charges.Add(ChargeKind.Tax, Micros.Apply(basis, flat.Rate), flat.Charge, LandedCharge.BasisForm.Percent, basis, flat.Rate, subject: GoodsAndTransportSubject);
        }
        else
        {
            // Each line's share of the transport, by its share of the value: divided once, for the duty's and the tax's bases.
            Unsafe.SkipInit(out LineAmounts parts);
            var transportPart = lines.Length <= LineAmounts.Length ? ((Span<long>)parts)[..lines.Length] : new long[lines.Length];
            for (var i = 0; i < lines.Length; i++)
            {
                transportPart[i] = Part(transport, value, goods, i);
            }
            Duty(destination, ref context, value, goods, transport, transportPart, dutyIncludesShipping, duty, ref charges);
            scheme = Tax(ref context, value, goods, transport, transportPart, taxIncludesShipping, valuation, duty, ref charges);
        }
        Fees(ref context, goods, items, ref charges);

        var verified = (valuation?.Source.Verified ?? true) && charges.Verified;
        var all = charges.Items;
        var due = charges.Sum(ChargeKind.Duty) + charges.Sum(ChargeKind.Tax) + charges.Sum(ChargeKind.Fee);
        var collectedAt = due == 0 ? null : request.Incoterm == Incoterm.DDP || scheme is not null ? Checkout : Delivery;
        var form = request.Mode == ShippingMode.Courier ? DeclarationForm.CommercialInvoice
            : weight <= TwoKilograms && WithinCn22Limit(goods, currency, date, request.Currency == _usd ? rate : null) ? DeclarationForm.Cn22 : DeclarationForm.Cn23; // UPU: CN22 up to 300 SDR and 2 kg
        return new LandedCostQuote(currency, scheme, collectedAt, form, verified, all.ToArray(), (IReadOnlyList<GoodsRestriction>?)restrictions ?? [],
            rate);
    }

    // The refusals, out of Compute: their messages' temporaries would otherwise take room in its frame, cleared on every quote.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Error NotCrossBorder(QuoteRequest request) => new(ErrorKind.Unprocessable, "customs.not_cross_border",
        $"Goods sent from {CountryNames.Of(request.From)} to {CountryNames.Of(request.To)} cross no customs border: there is no duty or import tax to quote.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Error Embargoed(QuoteRequest request, CustomsRule embargo) => new(ErrorKind.Unprocessable, "customs.embargoed",
        $"Nothing may be sent to {CountryNames.Of(request.To)} on {request.Date:yyyy-MM-dd}: {embargo.Reason} ({embargo.Source}).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Error Prohibited(QuoteRequest request, int i, GoodsRestriction prohibited)
    {
        var code = request.Lines[i].HsCode.Subheading;
        return new Error(ErrorKind.Unprocessable, "customs.prohibited_goods",
            $"lines[{i}]: {CountryNames.Of(request.To)} prohibits the import of {prohibited.Description} (HS {code[..4]}.{code[4..]}; {prohibited.Source}).",
            new Dictionary<string, string[]> { [$"lines[{i}].hsCode"] = [$"{CountryNames.Of(request.To)} prohibits {prohibited.Description} ({prohibited.Source})."] });
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Error NoExchangeRate(QuoteRequest request, Currency currency)
    {
        _ = Factor(request.Currency, currency, request.Date, out _, out var reason, out _);
        return new Error(ErrorKind.Unprocessable, "customs.no_exchange_rate", $"No exchange rate from {request.Currency} to {currency} on {request.Date:yyyy-MM-dd}: {reason}");
    }

    /// <summary>The part of <paramref name="amount"/> that falls on line <paramref name="i"/>, by its share of the goods' value.</summary>
    private static long Part(long amount, ReadOnlySpan<long> value, long goods, int i) =>
        amount == 0 ? 0 : value.Length == 1 ? amount : goods == 0 ? amount / value.Length : Micros.MulDiv(amount, value[i], goods);

    /// <summary>A rounded amount back in micros (a consignment's rounded duty, spread over the lines).</summary>
    private static long Rounded(long micros, Currency currency) =>
        Micros.ToMinor(micros, currency.MinorUnits) * Micros.MinorStep(currency.MinorUnits);

    private static void Duty(Destination destination, ref Context context, scoped ReadOnlySpan<long> value, long goods, long transport, scoped ReadOnlySpan<long> transportPart,
        bool includesShipping, scoped Span<long> duty, ref ChargeList charges)
    {
        var currency = context.Currency;
        var lines = context.Lines;
        if (context.First(RuleKind.DutyDeMinimis) is { } relief && context.Within(goods + (relief.Source.IncludesShipping ? transport : 0), relief, out var threshold))
        {
            charges.Add(ChargeKind.Duty, 0, relief.Charge, LandedCharge.BasisForm.Relief, goods + (relief.Source.IncludesShipping ? transport : 0),
                subject: NoDutyBelowSubject, threshold: threshold);
            return;
        }
        if (context.First(RuleKind.FlatDuty) is { } flat && context.Within(goods, flat, out _))
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
            var per = context.Convert(flat.Amount, flat.Currency);
            var amount = Rounded(checked(per * categories), currency);
            charges.Add(ChargeKind.Duty, amount, flat.Charge, LandedCharge.BasisForm.PerCount, per, count: categories, subject: ItemCategoriesSubject);
            Spread(amount, value, goods, duty);
            return;
        }
        if (context.First(RuleKind.DutyBands) is { } bands)
        {
            var basis = goods + (bands.Source.IncludesShipping ? transport : 0);
            foreach (var band in bands.Bands)
            {
                if (basis <= context.Convert(band.UpTo, bands.Currency))
                {
                    var deduct = context.Convert(band.Deduct, bands.Currency);
                    var amount = Rounded(Math.Max(0, Micros.Apply(basis, band.Rate) - deduct), currency);
                    charges.Add(ChargeKind.Duty, amount, bands.Charge, LandedCharge.BasisForm.Band, basis, band.Rate, threshold: deduct);
                    Spread(amount, value, goods, duty);
                    return;
                }
            }
        }
        var fixedRate = context.First(RuleKind.DutyRate);
        var freeChapters = context.First(RuleKind.DutyFreeChapters);
        var additional = context.First(RuleKind.AdditionalDuty);
        for (var i = 0; i < lines.Length; i++)
        {
            var lineValue = value[i] + (includesShipping ? transportPart[i] : 0);
            var chapter = lines[i].Subheading / 10000;
            ChargeSource source;
            long rate;
            if (freeChapters is { Source.Chapters: [var first, var last] } && chapter >= first && chapter <= last)
            {
                source = freeChapters.Charge;
                rate = 0;
            }
            else if (fixedRate is not null)
            {
                source = fixedRate.Charge;
                rate = fixedRate.Rate;
            }
            else
            {
                source = destination.Tariff.ChargeOf(lines[i].Subheading, lines[i].Ordinal, out rate);
            }
            duty[i] = Micros.Apply(lineValue, rate);
            charges.Add(ChargeKind.Duty, duty[i], source, LandedCharge.BasisForm.Percent, lineValue, rate, subject: LineSubject, line: i, subheading: lines[i].Subheading);
            if (additional is not null)
            {
                var extra = Micros.Apply(lineValue, additional.Rate);
                duty[i] += extra;
                charges.Add(ChargeKind.Duty, extra, additional.Charge, LandedCharge.BasisForm.Percent, lineValue, additional.Rate,
                    subject: LineSubject, line: i, subheading: lines[i].Subheading);
            }
        }
    }

    private static string? Tax(ref Context context, scoped ReadOnlySpan<long> value, long goods, long transport, scoped ReadOnlySpan<long> transportPart, bool includesShipping,
        Rule? valuation, scoped ReadOnlySpan<long> duty, ref ChargeList charges)
    {
        var lines = context.Lines;
        var plan = context.Plan;
        var first = charges.Count;
        var scheme = context.Scheme(value, goods, transport);

        if (scheme is null && context.First(RuleKind.TaxDeMinimis) is { } relief
            && context.Within(goods + (relief.Source.IncludesShipping ? transport : 0), relief, out var threshold) && relief.Source.Amount > 0)
        {
            charges.Add(ChargeKind.Tax, 0, relief.Charge, LandedCharge.BasisForm.Relief, goods + (relief.Source.IncludesShipping ? transport : 0),
                subject: NoTaxBelowSubject, threshold: threshold);
            return null;
        }

        // At checkout the tax is on the sale (goods and delivery); at import on the customs value, duty and, by country, transport.
        var withTransport = scheme is not null || includesShipping;
        long sum = 0;
        var grossUp = scheme is null && valuation is { Source.TaxGrossUp: true };
        for (var i = 0; i < lines.Length; i++)
        {
            var basis = value[i] + (withTransport ? transportPart[i] : 0) + (scheme is null ? duty[i] : 0);
            ChargeSource source;
            long rate;
            if (plan.Reduced.TryFind(lines[i].Subheading, out var reduced) && reduced is not null)
            {
                // A category without a rate yet (null) leaves the line at the standard rate.
                source = ChargeSource.Of(reduced);
                rate = reduced.Rate;
            }
            else if (plan.Standard is { } standard)
            {
                if (standard.Rate == 0)
                {
                    continue;
                }
                source = ChargeSource.Of(standard);
                rate = standard.Rate;
            }
            else
            {
                source = ChargeSource.Missing(context.Request.To, context.Request.Date);
                rate = 0;
            }
            var lineGrossUp = grossUp && rate < Micros.RateOne;
            var tax = lineGrossUp ? Micros.MulDiv(basis, rate, Micros.RateOne - rate) : Micros.Apply(basis, rate);
            sum += tax;
            charges.Add(ChargeKind.Tax, tax, source, lineGrossUp ? LandedCharge.BasisForm.GrossUp : LandedCharge.BasisForm.Percent, basis, rate,
                subject: scheme is null ? LineSubject : LineAtCheckoutSubject, line: i, subheading: lines[i].Subheading);
        }
        if (scheme is not null)
        {
            charges.Add(ChargeKind.Tax, 0, scheme.Charge, LandedCharge.BasisForm.Relief, goods, subject: TaxAtCheckoutSubject);
            return scheme.Source.Scheme;
        }
        if (context.First(RuleKind.TaxMinimum) is { } minimum && sum <= context.Convert(minimum.Amount, minimum.Currency))
        {
            // Switzerland: import VAT of CHF 5 or less is not collected.
            charges.Truncate(first);
            charges.Add(ChargeKind.Tax, 0, minimum.Charge, LandedCharge.BasisForm.Relief, sum, subject: TaxNotCollectedSubject,
                threshold: context.Convert(minimum.Amount, minimum.Currency));
        }
        return null;
    }

    private static void Fees(ref Context context, long goods, int items, ref ChargeList charges)
    {
        foreach (var fee in context.Plan.ByKind[(int)RuleKind.Fee])
        {
            if (!context.Applies(fee))
            {
                continue;
            }
            if (fee.Source.Max is not null && goods > context.Convert(fee.Max, fee.Currency))
            {
                continue;
            }
            var per = context.Convert(fee.Amount, fee.Currency);
            var count = fee.Source.Per == "item" ? items : 1;
            charges.Add(ChargeKind.Fee, checked(per * count), fee.Charge, LandedCharge.BasisForm.PerCount, per, count: count,
                subject: fee.Source.Per == "item" ? ItemsSubject : ConsignmentSubject);
        }
    }

    /// <summary>Spreads a consignment's duty over the lines by their share of the value, for the import-tax base of each.</summary>
    private static void Spread(long amount, ReadOnlySpan<long> value, long goods, Span<long> duty)
    {
        for (var i = 0; i < duty.Length; i++)
        {
            duty[i] = Part(amount, value, goods, i);
        }
    }

    /// <summary>True when the goods are worth at most 300 SDR (the CN22 limit), converted through the dollar; true when no rate says otherwise.</summary>
    /// <remarks><paramref name="fromDollars"/>: the dollar's rate into the currency when the quote already has it (a request in dollars).</remarks>
    private bool WithinCn22Limit(long goods, Currency currency, DateOnly date, ExchangeFactor? fromDollars)
    {
        if (_cn22LimitInDollars is not { } limit)
        {
            return true;
        }
        if (fromDollars is not { } rate && !RateOf(_usd, currency, date, out rate))
        {
            return true;
        }
        return goods <= Micros.Convert(limit, rate.Trillionths);
    }

    /// <summary>
    /// The rate from one currency to another on a date, from the cache (<see cref="FxCache"/>): a checkout quotes the
    /// same few pairs on the same day over and over. False when there is none (<see cref="Factor"/> says why).
    /// </summary>
    private bool RateOf(Currency from, Currency to, DateOnly date, out ExchangeFactor rate)
    {
        if (from == to)
        {
            rate = ExchangeFactor.Identity;
            return true;
        }
        if (_fx.TryGet(from, to, date, out rate))
        {
            return true;
        }
        if (!Factor(from, to, date, out var factor, out _, out var published))
        {
            return false;
        }
        rate = new ExchangeFactor(Micros.FactorOf(factor), published?.DayNumber ?? ExchangeFactor.NoDate);
        _fx.Add(from, to, date, rate);
        return true;
    }

    /// <summary>Units of <paramref name="to"/> per unit of <paramref name="from"/> on the date, with the publication date of the rate (null within one currency).</summary>
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
        // Twelve decimal places are far beyond the ECB's five or six significant digits.
        factor = decimal.Round(toPerEuro / fromPerEuro, 12);
        published = publishedOn;
        return true;
    }

    internal static int IndexOf(CountryCode country) =>
        country.Value is [var a and >= 'A' and <= 'Z', var b and >= 'A' and <= 'Z'] ? ((a - 'A') * 26) + (b - 'A') : -1;

    internal static string NameOf(int index) => string.Concat((char)('A' + (index / 26)), (char)('A' + (index % 26)));

    private Destination DestinationOf(CountryCode country, int index)
    {
        if (index < 0)
        {
            throw new ArgumentException($"'{country}' is not a country code.", nameof(country));
        }
        return Volatile.Read(ref _destinations[index]) ?? Interlocked.CompareExchange(ref _destinations[index], Compile(country), null) ?? _destinations[index]!;
    }

    /// <summary>
    /// A destination's plans: one per period in which nothing of its own changes (rules, standard and reduced rates,
    /// restricted goods, currency), each starting on a date where something does.
    /// </summary>
    private Destination Compile(CountryCode country)
    {
        var rules = _book.For(country).Select(r => _rules[r]).ToArray();
        var prohibited = _restrictions.MatchesFor(country, GoodsRestrictions.Prohibited).ToArray();
        var restricted = _restrictions.MatchesFor(country, GoodsRestrictions.Restricted).ToArray();
        var starts = new SortedSet<DateOnly> { DateOnly.MinValue };
        foreach (var rule in rules)
        {
            starts.Add(rule.Source.From);
            if (rule.Source.To is { } to && to < DateOnly.MaxValue)
            {
                starts.Add(to.AddDays(1));
            }
        }
        foreach (var entry in prohibited.Concat(restricted).Select(m => m.Entry))
        {
            starts.Add(entry.From);
            if (entry.To is { } to && to < DateOnly.MaxValue)
            {
                starts.Add(to.AddDays(1));
            }
        }
        starts.UnionWith(_vat.PeriodsOf(country).Select(p => p.EffectiveFrom));
        starts.UnionWith(_goodsVat.ChangeDates(country));
        starts.UnionWith(_currencies.GetValueOrDefault(country)?.Select(p => p.From) ?? []);

        var plans = starts.Select(date => new Plan(
            CurrencyOf(country, date),
            rules.Where(r => r.Kind == RuleKind.Embargo && r.Source.InForceOn(date)).Select(r => r.Source).FirstOrDefault(),
            [.. AllKinds.Select(k => rules.Where(r => r.Kind == k && r.Source.InForceOn(date)).OrderBy(r => r.Source.HasFilters ? 0 : 1).ToArray())],
            _vat.StandardOn(country, date),
            new HsTable<GoodsVatRate?>(_goodsVat.CoveredOn(country, date).Select(c => (HsRange.Of(c.Prefix, c.Divisor), c.Rate))),
            new HsTable<GoodsRestriction>(prohibited.Where(m => m.Entry.InForceOn(date)).Select(m => (HsRange.Of(m.Prefix, m.Divisor), m.Entry))),
            new HsTable<GoodsRestriction>(restricted.Where(m => m.Entry.InForceOn(date)).Select(m => (HsRange.Of(m.Prefix, m.Divisor), m.Entry))))).ToArray();
        return new Destination([.. starts.Select(d => d.DayNumber)], plans, _tariffs.For(country));
    }

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

    /// <summary>
    /// A rule of the book compiled for quoting: its amounts in micros of its currency, its rate in the fixed point, its
    /// places as flags by country index, its excluded categories as HS prefixes.
    /// </summary>
    private sealed class Rule
    {
        public Rule(CustomsRule source, RuleKind kind, Dictionary<string, HsRange[]> categories, bool[] inEu)
        {
            Source = source;
            Charge = ChargeSource.Of(source);
            Kind = kind;
            Currency = source.Currency;
            Amount = source.Amount is { } amount ? Micros.Of(amount) : 0;
            Max = source.Max is { } max ? Micros.Of(max) : 0;
            Rate = source.Percent is { } percent ? Micros.RateOf(percent) : 0;
            // A flat duty, fee or flat tax has its own amount; its threshold is 'max'.
            var limit = kind is RuleKind.FlatDuty or RuleKind.Fee or RuleKind.FlatTax ? source.Max : source.Amount;
            HasLimit = limit is not null && source.Currency is not null;
            Limit = HasLimit ? Micros.Of(limit!.Value) : 0;
            Mode = source.Mode switch { null => null, "postal" => ShippingMode.Postal, _ => ShippingMode.Courier };
            ShippedFrom = PlacesOf(source.ShippedFrom, inEu);
            NotShippedFrom = PlacesOf(source.NotShippedFrom, inEu);
            OriginIn = PlacesOf(source.OriginIn, inEu);
            OriginNotIn = PlacesOf(source.OriginNotIn, inEu);
            Excludes = [.. source.Excludes.SelectMany(c => categories.GetValueOrDefault(c) ?? [])];
            Bands = [.. source.Bands.Select(b => new Band(b, Micros.Of(b.UpTo), Micros.Of(b.Deduct), Micros.RateOf(b.Percent)))];
            RegisteredByDefault = source.Scheme is { } scheme && SchemeRegistrations.Defaults.Contains(scheme);
            Filtered = Mode is not null || ShippedFrom is not null || NotShippedFrom is not null || OriginIn is not null || OriginNotIn is not null || Excludes.Length > 0;
        }

        public CustomsRule Source { get; }

        /// <summary>The rule as a charge's source.</summary>
        public ChargeSource Charge { get; }

        public RuleKind Kind { get; }

        public Currency? Currency { get; }

        public long Amount { get; }

        public long Max { get; }

        public long Rate { get; }

        public bool HasLimit { get; }

        public long Limit { get; }

        public ShippingMode? Mode { get; }

        public bool[]? ShippedFrom { get; }

        public bool[]? NotShippedFrom { get; }

        public bool[]? OriginIn { get; }

        public bool[]? OriginNotIn { get; }

        public HsRange[] Excludes { get; }

        public Band[] Bands { get; }

        /// <summary>For a collection scheme: whether the default registrations (<see cref="SchemeRegistrations.Defaults"/>) include it.</summary>
        public bool RegisteredByDefault { get; }

        /// <summary>False when the rule applies to every quote of its period (no mode, place, origin or goods condition).</summary>
        public bool Filtered { get; }

        private static bool[]? PlacesOf(IReadOnlyList<string> places, bool[] inEu)
        {
            if (places.Count == 0)
            {
                return null;
            }
            var flags = new bool[Places];
            foreach (var place in places)
            {
                if (place == "EU")
                {
                    for (var i = 0; i < Places; i++)
                    {
                        flags[i] |= inEu[i];
                    }
                }
                else if (IndexOf(CountryCode.Parse(place)) is var index and >= 0)
                {
                    flags[index] = true;
                }
            }
            return flags;
        }
    }

    /// <summary>
    /// Exchange rates by currency pair and day, as the calculator uses them (trillionths and the rate's publication day),
    /// filled as quotes ask. A pair's days sit in arrays of 1,024 days from 1999 (the ECB's first rates): one read finds a
    /// rate. Safe for concurrent quotes: an entry's publication day is written before its rate, with a release write, and a
    /// reader reads the rate first (every writer of an entry writes the same values).
    /// </summary>
    private sealed class FxCache
    {
        private const int MaxCurrencies = 256;
        private const int ChunkDays = 1 << 10;
        private const int Chunks = 128;
        private const int CurrencyPlaces = 26 * 26 * 26;

        private static readonly int Epoch = new DateOnly(1999, 1, 1).DayNumber;

        /// <summary>A dense number (from 1) per currency code met, by the code as a base-26 index.</summary>
        private readonly int[] _ordinals = new int[CurrencyPlaces];
        private readonly Chunk?[]?[] _pairs = new Chunk?[]?[MaxCurrencies * MaxCurrencies];
        private int _currencies;

        /// <summary>
        /// Asks the processor to fetch the entry of the pair and day, if cached, while the quote does other work. Only a
        /// hint: a prefetch never faults, so an array the collector has just moved makes it useless, never wrong.
        /// </summary>
        public unsafe void Prefetch(Currency from, Currency to, DateOnly date)
        {
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported && Find(from, to, date, out var slot) is { } chunk)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref chunk.Entries[slot]));
            }
        }

        public bool TryGet(Currency from, Currency to, DateOnly date, out ExchangeFactor rate)
        {
            if (Find(from, to, date, out var slot) is { } chunk)
            {
                ref var entry = ref chunk.Entries[slot];
                var trillionths = Volatile.Read(ref entry.Trillionths);
                if (trillionths != 0)
                {
                    rate = new ExchangeFactor(trillionths, entry.Published);
                    return true;
                }
            }
            rate = default;
            return false;
        }

        /// <summary>The block that holds the pair's day, and the day's place in it; null when none has been made yet.</summary>
        private Chunk? Find(Currency from, Currency to, DateOnly date, out int slot)
        {
            var day = date.DayNumber - Epoch;
            var a = _ordinals[from.Place];
            var b = _ordinals[to.Place];
            slot = day % ChunkDays;
            return a > 0 && b > 0 && (uint)day < Chunks * ChunkDays && Volatile.Read(ref _pairs[((a - 1) * MaxCurrencies) + b - 1]) is { } chunks
                ? Volatile.Read(ref chunks[day / ChunkDays])
                : null;
        }

        public void Add(Currency from, Currency to, DateOnly date, ExchangeFactor rate)
        {
            var day = date.DayNumber - Epoch;
            if ((uint)day >= Chunks * ChunkDays || OrdinalOf(from) is not (> 0 and var a) || OrdinalOf(to) is not (> 0 and var b))
            {
                return; // outside the cached days, or more currencies than it holds: computed each time
            }
            ref var pair = ref _pairs[((a - 1) * MaxCurrencies) + b - 1];
            var chunks = Volatile.Read(ref pair) ?? Interlocked.CompareExchange(ref pair, new Chunk?[Chunks], null) ?? pair!;
            ref var at = ref chunks[day / ChunkDays];
            var chunk = Volatile.Read(ref at) ?? Interlocked.CompareExchange(ref at, new Chunk(), null) ?? at!;
            ref var entry = ref chunk.Entries[day % ChunkDays];
            entry.Published = rate.PublishedDay;
            Volatile.Write(ref entry.Trillionths, rate.Trillionths);
        }

        private int OrdinalOf(Currency currency)
        {
            ref var ordinal = ref _ordinals[currency.Place];
            if (Volatile.Read(ref ordinal) is var known and > 0)
            {
                return known;
            }
            lock (_ordinals)
            {
                if (ordinal == 0 && _currencies < MaxCurrencies)
                {
                    Volatile.Write(ref ordinal, ++_currencies);
                }
                return ordinal;
            }
        }

        /// <summary>1,024 days of a pair; an entry's rate and publication day share a cache line.</summary>
        private sealed class Chunk
        {
            public Entry[] Entries { get; } = new Entry[ChunkDays];
        }

        /// <summary>A day's rate (0: not known yet) and its publication day. Written publication first, rate last.</summary>
        private struct Entry
        {
            public long Trillionths;
            public int Published;
        }
    }

    /// <summary>One band of a duty_bands rule, compiled.</summary>
    private sealed record Band(DutyBand Source, long UpTo, long Deduct, long Rate);

    /// <summary>What is in force at a destination during one period: its currency, embargo, rules by kind (those with filters first), rates and restricted goods.</summary>
    private sealed record Plan(
        Currency? Currency,
        CustomsRule? Embargo,
        Rule[][] ByKind,
        VatRate? Standard,
        HsTable<GoodsVatRate?> Reduced,
        HsTable<GoodsRestriction> Prohibited,
        HsTable<GoodsRestriction> Restricted);

    /// <summary>The subheadings an HS prefix covers, as a range: chapter 24 is 240000 to 249999.</summary>
    private readonly record struct HsRange(int Low, int High)
    {
        public static HsRange Of(int prefix, int divisor) => new(prefix * divisor, (prefix * divisor) + divisor - 1);

        public bool Covers(int subheading) => subheading >= Low && subheading <= High;
    }

    /// <summary>
    /// HS ranges and what each maps to (a category's reduced rate, a restriction), found by the first range in their order
    /// that covers a subheading. Each chapter keeps, in that order, the ranges that touch it: a lookup reads the few of its
    /// chapter, where a country's list of reduced-rate categories runs to dozens.
    /// </summary>
    private sealed class HsTable<T>
    {
        private const int Chapters = 100;
        private const int PerChapter = 10_000;

        /// <summary>Where each chapter's ranges start in <see cref="_entries"/>; the last one ends them all.</summary>
        private readonly int[] _firsts = new int[Chapters + 1];
        private readonly (HsRange Goods, T Value)[] _entries;

        public HsTable(IEnumerable<(HsRange Goods, T Value)> ranges)
        {
            var all = ranges.ToArray();
            var byChapter = new List<(HsRange Goods, T Value)>();
            for (var chapter = 0; chapter < Chapters; chapter++)
            {
                _firsts[chapter] = byChapter.Count;
                byChapter.AddRange(all.Where(r => r.Goods.Low < (chapter + 1) * PerChapter && r.Goods.High >= chapter * PerChapter));
            }
            _firsts[Chapters] = byChapter.Count;
            _entries = [.. byChapter];
        }

        /// <summary>True when a range covers the subheading, with what the first of them maps to.</summary>
        public bool TryFind(int subheading, out T value)
        {
            var chapter = (uint)subheading / PerChapter;
            if (chapter < Chapters)
            {
                var entries = _entries;
                for (var i = _firsts[chapter]; i < _firsts[chapter + 1]; i++)
                {
                    if (entries[i].Goods.Covers(subheading))
                    {
                        value = entries[i].Value;
                        return true;
                    }
                }
            }
            value = default!;
            return false;
        }
    }

    /// <summary>A destination's plans by the day each starts (the first on <see cref="DateOnly.MinValue"/>), and its duty rates.</summary>
    private sealed class Destination(int[] starts, Plan[] plans, DutyTariffs.DestinationTariff tariff)
    {
        public DutyTariffs.DestinationTariff Tariff { get; } = tariff;

        public Plan At(DateOnly date)
        {
            var day = date.DayNumber;
            int low = 0, high = starts.Length - 1;
            while (low < high)
            {
                var middle = (low + high + 1) >> 1;
                if (starts[middle] <= day)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }
            return plans[low];
        }
    }

    /// <summary>Amounts per line of a usual parcel, on the stack.</summary>
    [InlineArray(Length)]
    private struct LineAmounts
    {
        public const int Length = 8;

        private long _first;
    }

    /// <summary>The charges of a usual quote, on the stack.</summary>
    [InlineArray(Length)]
    private struct ChargeBuffer
    {
        public const int Length = 16;

        private LandedCharge _first;
    }

    /// <summary>
    /// The charges of the quote being computed: in a buffer on the caller's stack (left uninitialised: a charge holds no
    /// reference), moved to the heap only for a parcel of many lines.
    /// </summary>
    private ref struct ChargeList(Span<LandedCharge> buffer, Currency currency)
    {
        private readonly ushort _currency = (ushort)currency.Place;
        private readonly byte _minorUnits = (byte)currency.MinorUnits;
        private Span<LandedCharge> _items = buffer;
        private KindSums _sums;

        public int Count { get; private set; }

        /// <summary>True unless a charge's rule or rate is flagged unverified.</summary>
        public bool Verified { get; private set; } = true;

        [System.Diagnostics.CodeAnalysis.UnscopedRef]
        public readonly ReadOnlySpan<LandedCharge> Items => _items[..Count];

        /// <summary>The rounded charges of a kind added up, in minor units.</summary>
        public readonly long Sum(ChargeKind kind) => _sums[(int)kind];

        /// <summary>Adds a charge in the quote's currency (the arguments of <see cref="LandedCharge"/>'s constructor), built in place.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // one charge's temporary here, not one per call site in the callers' frames
        public void Add(ChargeKind kind, long micros, ChargeSource source, LandedCharge.BasisForm form, long value = 0, long rate = 0, int count = 0,
            byte subject = 0, int line = -1, int subheading = 0, long threshold = 0)
        {
            if (Count == _items.Length)
            {
                var larger = new LandedCharge[_items.Length * 2];
                _items.CopyTo(larger);
                _items = larger;
            }
            ref var charge = ref _items[Count++];
            charge = new LandedCharge(kind, micros, _currency, _minorUnits, source, form, value, rate, count, subject, line, subheading, threshold);
            _sums[(int)kind] += charge.Minor;
            Verified &= charge.Verified;
        }

        /// <summary>Drops the charges from <paramref name="count"/> on.</summary>
        public void Truncate(int count)
        {
            Count = count;
            _sums = default;
            Verified = true;
            foreach (ref readonly var charge in _items[..count])
            {
                _sums[(int)charge.Kind] += charge.Minor;
                Verified &= charge.Verified;
            }
        }

        /// <summary>A sum per <see cref="ChargeKind"/> (the last is <see cref="ChargeKind.Fee"/>).</summary>
        [InlineArray((int)ChargeKind.Fee + 1)]
        private struct KindSums
        {
            private long _first;
        }
    }

    /// <summary>
    /// The quote being computed: which rules apply to it, and the rules' amounts in its currency at the date's rate
    /// (converted once per currency). A struct on the quote's stack, passed by reference.
    /// </summary>
    private struct Context(LandedCostCalculator calculator, QuoteRequest request, QuoteLine[] lines, Plan plan, Currency currency)
    {
        private Currency _lastFrom;
        private long _lastFactor;

        public readonly QuoteRequest Request { get; } = request;

        public readonly QuoteLine[] Lines { get; } = lines;

        public readonly Plan Plan { get; } = plan;

        public readonly Currency Currency { get; } = currency;

        /// <summary>An amount of a rule (<paramref name="amount"/>, or <paramref name="micros"/> of it) in the quote's currency, as micros.</summary>
        public long Convert(long micros, Currency? from)
        {
            if (from is not { } source || source == Currency)
            {
                return micros;
            }
            if (source != _lastFrom)
            {
                if (!calculator.RateOf(source, Currency, Request.Date, out var rate))
                {
                    _ = calculator.Factor(source, Currency, Request.Date, out _, out var reason, out _);
                    throw new InvalidOperationException($"No rate to convert the rule book's {source} into {Currency} on {Request.Date:yyyy-MM-dd}: {reason}");
                }
                _lastFrom = source;
                _lastFactor = rate.Trillionths;
            }
            return Micros.Convert(micros, _lastFactor);
        }

        /// <summary>The first rule of the kind in force that applies to this quote.</summary>
        public Rule? First(RuleKind kind)
        {
            foreach (var rule in Plan.ByKind[(int)kind])
            {
                if (!rule.Filtered || Applies(rule))
                {
                    return rule;
                }
            }
            return null;
        }

        /// <summary>True when the basis is within the rule's threshold (at most, or below when strict) in the quote's currency.</summary>
        public bool Within(long basis, Rule rule, out long threshold)
        {
            if (!rule.HasLimit)
            {
                threshold = 0;
                return true;
            }
            threshold = Convert(rule.Limit, rule.Currency);
            return rule.Source.Strict ? basis < threshold : basis <= threshold;
        }

        /// <summary>The collection scheme that covers the quote: in force, the seller registered, no excluded goods, within its threshold.</summary>
        public Rule? Scheme(ReadOnlySpan<long> value, long goods, long transport)
        {
            foreach (var rule in Plan.ByKind[(int)RuleKind.Scheme])
            {
                // The default registrations (most tenants) were asked once per rule when it was compiled.
                var registered = ReferenceEquals(Request.RegisteredSchemes, SchemeRegistrations.Defaults)
                    ? rule.RegisteredByDefault
                    : Request.RegisteredSchemes.Contains(rule.Source.Scheme!);
                if (!registered || !Applies(rule))
                {
                    continue;
                }
                var limit = Convert(rule.Amount, rule.Currency);
                var fits = true;
                switch (rule.Source.Basis)
                {
                    case "item":
                        // Norway's VOEC: every item under NOK 3,000.
                        for (var i = 0; i < Lines.Length && fits; i++)
                        {
                            var unit = value[i] / Lines[i].Quantity;
                            fits = rule.Source.Strict ? unit < limit : unit <= limit;
                        }
                        break;
                    case "tax":
                        // Switzerland: the small consignments whose import tax would be at most CHF 5 (standard rate on goods and transport).
                        fits = Plan.Standard is { } standard && Micros.Apply(goods + transport, standard.Rate) <= limit;
                        break;
                    default:
                        var basis = goods + (rule.Source.IncludesShipping ? transport : 0);
                        fits = rule.Source.Strict ? basis < limit : basis <= limit;
                        break;
                }
                if (fits)
                {
                    return rule;
                }
            }
            return null;
        }

        /// <summary>True when the rule's conditions (mode, where the parcel leaves from, the goods' origin and categories) hold; its period is the plan's.</summary>
        public bool Applies(Rule rule)
        {
            if (!rule.Filtered)
            {
                return true;
            }
            if (rule.Mode is { } mode && mode != Request.Mode)
            {
                return false;
            }
            var from = IndexOf(Request.From);
            if ((rule.ShippedFrom is { } shippedFrom && (from < 0 || !shippedFrom[from])) || (rule.NotShippedFrom is { } notShippedFrom && from >= 0 && notShippedFrom[from]))
            {
                return false;
            }
            foreach (var line in Lines)
            {
                var origin = IndexOf(line.Origin);
                if ((rule.OriginIn is { } originIn && (origin < 0 || !originIn[origin])) || (rule.OriginNotIn is { } originNotIn && origin >= 0 && originNotIn[origin]))
                {
                    return false;
                }
                foreach (var excluded in rule.Excludes)
                {
                    if (excluded.Covers(line.Subheading))
                    {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
