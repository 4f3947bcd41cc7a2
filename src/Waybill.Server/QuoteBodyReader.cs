using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Waybill.Common;
using Waybill.Customs;
using Waybill.Orders;

namespace Waybill.Server;

/// <summary>
/// The quote endpoint's reader for the ordinary body: the documented field names in camelCase, strings, numbers,
/// nulls and the lines, in one pass over the bytes. Anything else (another spelling of a name, an unknown field, a
/// value of another JSON type, malformed JSON) is left to the source-generated reader, which accepts what the API
/// accepts and names what is wrong; this one only answers sooner for what it recognizes.
/// </summary>
internal static class QuoteBodyReader
{
    /// <summary>Checkout quotes have a few lines; a body with more is read by the general path.</summary>
    internal const int ValidFastLines = 8;

    /// <summary>The request's field names, numbered in this order by <see cref="Scanner.Field"/>.</summary>
    private static readonly byte[][] RequestFields =
        [.. new[] { "from", "to", "date", "mode", "incoterm", "currency", "shipping", "insurance", "lines" }.Select(Encoding.ASCII.GetBytes)];

    /// <summary>A line's field names, numbered in this order.</summary>
    private static readonly byte[][] LineFields =
        [.. new[] { "hsCode", "originCountry", "description", "quantity", "unitValue", "weightKg" }.Select(Encoding.ASCII.GetBytes)];

    /// <summary>
    /// The checked request of an ordinary, valid body, read straight from the bytes by a small scanner of the body's
    /// JSON: the strings a valid request holds (country, currency, HS codes) are the tables' own, so nothing is
    /// allocated but the request and its lines. Numbers are checked and turned into the calculator's micros with integers
    /// (<see cref="ScannedNumber"/>), not decimal arithmetic. It answers only for a body the general path
    /// (<see cref="TryRead"/>, then <see cref="QuoteLandedCost.Validate"/>) would accept, and then with the same request;
    /// for anything else (another spelling, a wrong or unknown value, a repeated field, more than
    /// <see cref="ValidFastLines"/> lines, an escape in a string, a number with an exponent, a sign or more than six
    /// decimals, JSON that is not well formed) it answers false and that path decides and names what is wrong.
    /// </summary>
    public static bool TryReadValid(ReadOnlySequence<byte> body, QuoteLandedCost.Context context, [NotNullWhen(true)] out QuoteRequest? request)
    {
        request = null;
        if (!body.IsSingleSegment)
        {
            return false;
        }
        var json = new Scanner(body.FirstSpan);
        CountryCode from = default, to = default;
        var date = context.Today;
        var mode = ShippingMode.Postal;
        Incoterm? incoterm = null;
        Currency currency = default;
        ScannedNumber shipping = default, insurance = default;
        var lines = new ValidLines();
        var count = 0;
        var seen = 0;
        if (!json.Take((byte)'{'))
        {
            return false;
        }
        do
        {
            if (!json.Field(RequestFields, ref seen, out var field))
            {
                return false;
            }
            ReadOnlySpan<byte> text;
            var valid = field switch
            {
                0 => json.Plain(out text) && CountryCode.TryCanonical(text, out from),
                1 => json.Plain(out text) && CountryCode.TryCanonical(text, out to),
                2 => json.Null() || (json.Plain(out text) && TryDate(text, out date)),
                3 => json.Null() || (json.Plain(out text) && TryMode(text, out mode)),
                4 => json.Plain(out text) && TryIncoterm(text, out incoterm),
                5 => json.Plain(out text) && Currency.TryCanonical(text, out currency),
                6 => json.Number(out shipping),
                7 => json.Null() || json.Number(out insurance),
                _ => ValidLinesOf(ref json, ref lines, out count),
            };
            if (!valid)
            {
                return false;
            }
        }
        while (json.Take((byte)','));
        if (!json.Take((byte)'}') || !json.AtEnd || from.Value is null || to.Value is null || incoterm is not { } terms || currency.Code is null
            || !shipping.IsAmount(currency) || (insurance.IsPresent && !insurance.IsAmount(currency)) || count == 0)
        {
            return false;
        }
        var checkedLines = new QuoteLine[count];
        for (var i = 0; i < count; i++)
        {
            ref var line = ref lines[i];
            if (!line.Quantity.IsWhole(1, 100_000, out var quantity) || !line.UnitValue.IsAmount(currency) || !line.WeightKg.IsWithin(1000))
            {
                return false;
            }
            checkedLines[i] = new QuoteLine(line.HsCode, line.Subheading, line.Ordinal, line.Origin, quantity,
                line.UnitValue.Value, line.UnitValue.Micros, line.WeightKg.Value, line.WeightKg.Micros);
        }
        request = new QuoteRequest(from, to, date, mode, terms, currency, shipping.Value, insurance.Value, checkedLines, context.Registered);
        return true;
    }

    /// <summary>A line as read, before the request's currency (which may come after it) is known.</summary>
    private struct ValidLine
    {
        public HsCode HsCode;
        public int Subheading;
        public int Ordinal;
        public CountryCode Origin;
        public ScannedNumber Quantity;
        public ScannedNumber UnitValue;
        public ScannedNumber WeightKg;
    }

    /// <summary>
    /// A JSON number as the scanner read it: up to 18 digits, at most six of them decimals (the calculator's micros),
    /// no sign or exponent. Checked and converted with integers only: the decimal the request keeps is built from its
    /// digits, as the JSON reader builds it.
    /// </summary>
    private readonly struct ScannedNumber(ulong mantissa, int scale)
    {
        private static readonly ulong[] Powers = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

        /// <summary>Read (default: absent, or null).</summary>
        public bool IsPresent { get; } = true;

        /// <summary>The number, scale included (<c>12.50</c> keeps its two decimals); zero when absent.</summary>
        public decimal Value => new(unchecked((int)(uint)mantissa), unchecked((int)(uint)(mantissa >> 32)), 0, isNegative: false, (byte)scale);

        /// <summary>The number in millionths (exact: at most six decimals, and in range once checked).</summary>
        public long Micros => (long)(mantissa * Powers[6 - scale]);

        /// <summary>A money amount in the currency: at most 1,000,000,000 and no finer than its minor unit (<c>QuoteLandedCost.AmountIsValid</c>).</summary>
        public bool IsAmount(Currency currency) =>
            IsPresent && mantissa <= 1_000_000_000 * Powers[scale]
            && (scale <= currency.MinorUnits || mantissa % Powers[scale - currency.MinorUnits] == 0);

        /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/> (<c>2.0</c> is whole, as a decimal is).</summary>
        public bool IsWhole(int min, int max, out int value)
        {
            var whole = mantissa / Powers[scale];
            value = (int)Math.Min(whole, int.MaxValue);
            return IsPresent && whole * Powers[scale] == mantissa && whole >= (ulong)min && whole <= (ulong)max;
        }

        /// <summary>Above zero and at most <paramref name="max"/>.</summary>
        public bool IsWithin(int max) => IsPresent && mantissa > 0 && mantissa <= (ulong)max * Powers[scale];
    }

    [InlineArray(ValidFastLines)]
    private struct ValidLines
    {
        private ValidLine _line;
    }

    private static bool ValidLinesOf(ref Scanner json, ref ValidLines lines, out int count)
    {
        count = 0;
        if (!json.Take((byte)'['))
        {
            return false;
        }
        if (json.Take((byte)']'))
        {
            return true; // no lines: the general path names the error
        }
        do
        {
            if (count == ValidFastLines || !ValidLineOf(ref json, ref lines[count]))
            {
                return false;
            }
            count++;
        }
        while (json.Take((byte)','));
        return json.Take((byte)']');
    }

    private static bool ValidLineOf(ref Scanner json, ref ValidLine line)
    {
        if (!json.Take((byte)'{'))
        {
            return false;
        }
        var seen = 0;
        do
        {
            if (!json.Field(LineFields, ref seen, out var field))
            {
                return false;
            }
            ReadOnlySpan<byte> text;
            var valid = field switch
            {
                0 => json.Plain(out text) && TryHsCode(text, out line.HsCode, out line.Subheading, out line.Ordinal),
                1 => json.Plain(out text) && CountryCode.TryCanonical(text, out line.Origin),
                2 => json.Null() || json.Description(),
                3 => json.Number(out line.Quantity),
                4 => json.Number(out line.UnitValue),
                _ => json.Number(out line.WeightKg),
            };
            if (!valid)
            {
                return false;
            }
        }
        while (json.Take((byte)','));
        // Every field but the description is required.
        return json.Take((byte)'}') && (seen | (1 << 2)) == 0b11_1111;
    }

    /// <summary>
    /// The JSON the fast path reads, and no more: structure, whitespace, <c>null</c>, strings without escapes, and
    /// numbers without sign or exponent. Whatever it does not know it refuses (false), so that the general reader judges.
    /// </summary>
    private ref struct Scanner(ReadOnlySpan<byte> text)
    {
        /// <summary>Printable ASCII but the quote and the backslash: a string of these needs no unescaping.</summary>
        private static readonly SearchValues<byte> PlainBytes = SearchValues.Create(
            " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

        private readonly ReadOnlySpan<byte> _text = text;
        private int _at;

        /// <summary>Only whitespace is left.</summary>
        public bool AtEnd
        {
            get
            {
                SkipSpace();
                return _at == _text.Length;
            }
        }

        /// <summary>After whitespace, <paramref name="token"/>: taken.</summary>
        public bool Take(byte token)
        {
            SkipSpace();
            if (_at < _text.Length && _text[_at] == token)
            {
                _at++;
                return true;
            }
            return false;
        }

        public bool Null()
        {
            SkipSpace();
            if (_text[_at..].StartsWith("null"u8))
            {
                _at += 4;
                return true;
            }
            return false;
        }

        /// <summary>
        /// A field's name and its colon: the name's number among <paramref name="names"/>, marked in
        /// <paramref name="seen"/>; false for another name or one seen before.
        /// </summary>
        public bool Field(byte[][] names, ref int seen, out int field)
        {
            field = -1;
            if (!Plain(out var name) || !Take((byte)':'))
            {
                return false;
            }
            // Clients send the fields in one order, usually the documented one: the first field not yet seen is tried
            // first, then all of them.
            var next = System.Numerics.BitOperations.TrailingZeroCount(~seen);
            if (next < names.Length && name.SequenceEqual(names[next]))
            {
                field = next;
            }
            else
            {
                for (var i = 0; i < names.Length; i++)
                {
                    if (name.SequenceEqual(names[i]))
                    {
                        field = i;
                        break;
                    }
                }
            }
            if (field < 0 || (seen & (1 << field)) != 0)
            {
                return false;
            }
            seen |= 1 << field;
            return true;
        }

        /// <summary>A string of plain printable ASCII: its bytes between the quotes.</summary>
        public bool Plain(out ReadOnlySpan<byte> value)
        {
            value = default;
            if (!Take((byte)'"'))
            {
                return false;
            }
            var rest = _text[_at..];
            var end = rest.IndexOfAnyExcept(PlainBytes);
            if (end < 0 || rest[end] != '"')
            {
                return false;
            }
            value = rest[..end];
            _at += end + 1;
            return true;
        }

        /// <summary>
        /// A description: a string of valid UTF-8 without escapes or control characters, of at most 200 bytes (so of
        /// at most 200 characters, as the check asks).
        /// </summary>
        public bool Description()
        {
            if (!Take((byte)'"'))
            {
                return false;
            }
            var rest = _text[_at..];
            var end = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (end < 0 || end > 200 || rest[end] != '"' || rest[..end].IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0
                || !System.Text.Unicode.Utf8.IsValid(rest[..end]))
            {
                return false;
            }
            _at += end + 1;
            return true;
        }

        /// <summary>
        /// A number without sign or exponent, of at most 18 digits and six decimals, as its digits and scale (4.50 has
        /// two decimals); anything else is refused.
        /// </summary>
        public bool Number(out ScannedNumber value)
        {
            value = default;
            SkipSpace();
            ulong mantissa = 0;
            var digits = 0;
            var scale = 0;
            var start = _at;
            while (_at < _text.Length && char.IsAsciiDigit((char)_text[_at]))
            {
                mantissa = (mantissa * 10) + (ulong)(_text[_at++] - '0');
                digits++;
            }
            if (digits == 0 || (digits > 1 && _text[start] == '0'))
            {
                return false;
            }
            if (_at < _text.Length && _text[_at] == '.')
            {
                _at++;
                while (_at < _text.Length && char.IsAsciiDigit((char)_text[_at]))
                {
                    mantissa = (mantissa * 10) + (ulong)(_text[_at++] - '0');
                    digits++;
                    scale++;
                }
                if (scale == 0)
                {
                    return false;
                }
            }
            if (digits > 18 || scale > 6 || (_at < _text.Length && (_text[_at] | 0x20) == 'e'))
            {
                return false;
            }
            value = new ScannedNumber(mantissa, scale);
            return true;
        }

        private void SkipSpace()
        {
            while (_at < _text.Length && _text[_at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                _at++;
            }
        }
    }

    /// <summary>YYYY-MM-DD, a real day (as <see cref="QuoteLandedCost.Validate"/> reads it).</summary>
    private static bool TryDate(ReadOnlySpan<byte> text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-'
            || !TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        // Summed in a local: the caller's variable may be a field, written through memory at every digit otherwise.
        var sum = 0;
        foreach (var b in text)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                value = 0;
                return false;
            }
            sum = (sum * 10) + (b - '0');
        }
        value = sum;
        return true;
    }

    private static bool TryMode(ReadOnlySpan<byte> text, out ShippingMode mode)
    {
        mode = text.SequenceEqual("courier"u8) ? ShippingMode.Courier : ShippingMode.Postal;
        return mode == ShippingMode.Courier || text.SequenceEqual("postal"u8);
    }

    private static bool TryIncoterm(ReadOnlySpan<byte> text, out Incoterm? incoterm)
    {
        incoterm = text.SequenceEqual("DDP"u8) ? Incoterm.DDP : text.SequenceEqual("DAP"u8) ? Incoterm.DAP : null;
        return incoterm is not null;
    }

    /// <summary>
    /// 6 to 10 digits (no dots or spaces) whose first six are an HS 2022 subheading. A plain subheading is the
    /// nomenclature's own string; a national code's digits are copied.
    /// </summary>
    private static bool TryHsCode(ReadOnlySpan<byte> text, out HsCode code, out int subheading, out int ordinal)
    {
        code = default;
        subheading = 0;
        ordinal = -1;
        if (text.Length is < 6 or > 10 || text.ContainsAnyExceptInRange((byte)'0', (byte)'9') || !TryDigits(text[..6], out subheading)
            || HsNomenclature.Default.SubheadingAt(ordinal = HsNomenclature.Default.Ordinals.Of(subheading)) is not { } digits)
        {
            return false;
        }
        code = HsCode.FromCheckedDigits(text.Length == 6 ? digits : Encoding.ASCII.GetString(text));
        return true;
    }

    public static bool TryRead(ReadOnlySequence<byte> body, [NotNullWhen(true)] out LandedCostInput? input)
    {
        input = null;
        try
        {
            var json = new Utf8JsonReader(body);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            string? from = null, to = null, date = null, mode = null, incoterm = null, currency = null;
            decimal? shipping = null, insurance = null;
            List<LandedCostLineInput?>? lines = null;
            while (json.Read())
            {
                if (json.TokenType == JsonTokenType.EndObject)
                {
                    if (json.Read())
                    {
                        return false;
                    }
                    input = new LandedCostInput(from, to, date, mode, incoterm, currency, shipping, insurance, lines);
                    return true;
                }
                var known = json.TokenType == JsonTokenType.PropertyName && (
                    json.ValueTextEquals("from"u8) ? String(ref json, out from)
                    : json.ValueTextEquals("to"u8) ? String(ref json, out to)
                    : json.ValueTextEquals("date"u8) ? String(ref json, out date)
                    : json.ValueTextEquals("mode"u8) ? String(ref json, out mode)
                    : json.ValueTextEquals("incoterm"u8) ? String(ref json, out incoterm)
                    : json.ValueTextEquals("currency"u8) ? String(ref json, out currency)
                    : json.ValueTextEquals("shipping"u8) ? Number(ref json, out shipping)
                    : json.ValueTextEquals("insurance"u8) ? Number(ref json, out insurance)
                    : json.ValueTextEquals("lines"u8) && Lines(ref json, out lines));
                if (!known)
                {
                    return false;
                }
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Lines(ref Utf8JsonReader json, out List<LandedCostLineInput?>? lines)
    {
        lines = null;
        if (!json.Read())
        {
            return false;
        }
        if (json.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (json.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }
        lines = [];
        while (json.Read())
        {
            switch (json.TokenType)
            {
                case JsonTokenType.EndArray:
                    return true;
                case JsonTokenType.Null:
                    lines.Add(null);
                    break;
                case JsonTokenType.StartObject:
                    if (!Line(ref json, out var line))
                    {
                        return false;
                    }
                    lines.Add(line);
                    break;
                default:
                    return false;
            }
        }
        return false;
    }

    private static bool Line(ref Utf8JsonReader json, out LandedCostLineInput? line)
    {
        line = null;
        string? hsCode = null, origin = null, description = null;
        decimal? quantity = null, unitValue = null, weight = null;
        while (json.Read())
        {
            if (json.TokenType == JsonTokenType.EndObject)
            {
                line = new LandedCostLineInput(hsCode, origin, description, quantity, unitValue, weight);
                return true;
            }
            var known = json.TokenType == JsonTokenType.PropertyName && (
                json.ValueTextEquals("hsCode"u8) ? String(ref json, out hsCode)
                : json.ValueTextEquals("originCountry"u8) ? String(ref json, out origin)
                : json.ValueTextEquals("description"u8) ? String(ref json, out description)
                : json.ValueTextEquals("quantity"u8) ? Number(ref json, out quantity)
                : json.ValueTextEquals("unitValue"u8) ? Number(ref json, out unitValue)
                : json.ValueTextEquals("weightKg"u8) && Number(ref json, out weight));
            if (!known)
            {
                return false;
            }
        }
        return false;
    }

    private static bool String(ref Utf8JsonReader json, out string? value)
    {
        value = null;
        if (!json.Read())
        {
            return false;
        }
        if (json.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (json.TokenType != JsonTokenType.String)
        {
            return false;
        }
        value = json.GetString();
        return true;
    }

    private static bool Number(ref Utf8JsonReader json, out decimal? value)
    {
        value = null;
        if (!json.Read())
        {
            return false;
        }
        if (json.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (json.TokenType != JsonTokenType.Number || !json.TryGetDecimal(out var number))
        {
            return false;
        }
        value = number;
        return true;
    }
}
