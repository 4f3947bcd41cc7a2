using System.Globalization;
using System.Text.RegularExpressions;

namespace Waybill.Common;

/// <summary>A Harmonized System code: 6 international digits, extended to 8-10 by national tariffs. Stored as digits only.</summary>
public readonly record struct HsCode
{
    private HsCode(string digits) => Digits = digits;

    public string Digits { get; }

    public string Subheading => Digits[..6];

    public static bool TryCreate(string? input, out HsCode code, out string? reason)
    {
        code = default;
        if (string.IsNullOrWhiteSpace(input))
        {
            reason = "An HS code is required (6 to 10 digits, e.g. 6109.10).";
            return false;
        }
        Span<char> digits = stackalloc char[10];
        var count = 0;
        foreach (var c in input)
        {
            if (c is '.' or ' ')
            {
                continue;
            }
            if (!char.IsAsciiDigit(c) || count == 10)
            {
                reason = $"'{input}' is not an HS code: 6 to 10 digits, dots and spaces allowed.";
                return false;
            }
            digits[count++] = c;
        }
        if (count < 6)
        {
            reason = $"'{input}' is not an HS code: 6 to 10 digits, dots and spaces allowed.";
            return false;
        }
        code = new HsCode(new string(digits[..count]));
        reason = null;
        return true;
    }

    /// <summary>A code from digits the caller has already checked (6 to 10 ASCII digits, nothing else).</summary>
    internal static HsCode FromCheckedDigits(string digits) => new(digits);

    public override string ToString() => Digits ?? "";
}

/// <summary>An email address as a buyer types it: one @, a local part and a dotted domain, no spaces.</summary>
public readonly partial record struct EmailAddress
{
    private EmailAddress(string value) => Value = value;

    public string Value { get; }

    public static bool TryCreate(string? input, out EmailAddress email, out string? reason)
    {
        email = default;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            reason = "An email address is required.";
            return false;
        }
        if (text.Length > 254 || !Pattern().IsMatch(text))
        {
            reason = $"'{input}' is not an email address.";
            return false;
        }
        email = new EmailAddress(text);
        reason = null;
        return true;
    }

    // RFC 5322 dot-atom local part (no leading, trailing or doubled dot; at most 64 characters, RFC 5321)
    // and a DNS host name with at least one dot. Quoted local parts and IP literals are refused.
    [GeneratedRegex(@"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public override string ToString() => Value ?? "";
}

/// <summary>A BCP 47 language tag (<c>de-CH</c>, <c>zh-Hant-TW</c>) whose language the platform's ICU data knows.</summary>
public readonly partial record struct Locale
{
    private Locale(string tag) => Tag = tag;

    public string Tag { get; }

    public static bool TryCreate(string? input, out Locale locale, out string? reason)
    {
        locale = default;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text) || !WellFormed().IsMatch(text))
        {
            reason = $"'{input}' is not a BCP 47 language tag (e.g. en-GB, de, zh-Hant-TW).";
            return false;
        }
        try
        {
            // predefinedOnly: an unknown language ("xx-YY") is refused rather than invented.
            var culture = CultureInfo.GetCultureInfo(text, predefinedOnly: true);
            locale = new Locale(culture.Name.Length > 0 ? culture.Name : text);
        }
        catch (CultureNotFoundException)
        {
            reason = $"'{input}' is not a known BCP 47 language tag.";
            return false;
        }
        reason = null;
        return true;
    }

    // RFC 5646 langtag: language (2-3 or 4-8 letters), optional script, region, variants.
    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$", RegexOptions.CultureInvariant)]
    private static partial Regex WellFormed();

    public override string ToString() => Tag ?? "";
}

/// <summary>An IANA time zone id from the tz database (<c>Europe/Berlin</c>); Windows ids are refused.</summary>
public readonly record struct TimeZoneName
{
    private TimeZoneName(string id) => Id = id;

    public string Id { get; }

    public static bool TryCreate(string? input, out TimeZoneName zone, out string? reason)
    {
        zone = default;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text) || NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(text) is null)
        {
            reason = $"'{input}' is not an IANA time zone (e.g. Europe/Berlin).";
            return false;
        }
        zone = new TimeZoneName(text);
        reason = null;
        return true;
    }

    public override string ToString() => Id ?? "";
}

/// <summary>Kilograms, positive, to the gram.</summary>
public readonly record struct Weight
{
    private Weight(decimal kg) => Kilograms = kg;

    public decimal Kilograms { get; }

    public static bool TryCreate(decimal? kg, out Weight weight, out string? reason)
    {
        weight = default;
        if (kg is null)
        {
            reason = "A weight in kilograms is required.";
            return false;
        }
        if (kg <= 0m)
        {
            reason = "The weight must be greater than 0 kg.";
            return false;
        }
        if (decimal.Round(kg.Value, 3) != kg.Value || kg > 100_000m)
        {
            reason = "The weight must be at most 100000 kg, to the gram (3 decimals).";
            return false;
        }
        weight = new Weight(kg.Value);
        reason = null;
        return true;
    }

    public static Weight operator +(Weight left, Weight right) => new(left.Kilograms + right.Kilograms);

    public Weight Add(Weight other) => this + other;

    public override string ToString() => $"{Kilograms.ToString(CultureInfo.InvariantCulture)} kg";
}
