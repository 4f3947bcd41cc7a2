using System.Collections.Frozen;
using System.Globalization;
using Waybill.Common;

namespace Waybill.Shipping.Sandbox;

/// <summary>
/// Issues and checks the tracking numbers of the sandbox carriers, so that booking can number parcels from a sequence.
/// <list type="bullet">
/// <item>Postal carriers: UPU S10, <c>LS123456785CN</c>: the service's 2-letter indicator, an 8-digit serial, the S10
/// check digit, the post's ISO country. Real posts use the same shape; detection reports these as <c>s10</c>.</item>
/// <item>Every other sandbox carrier: its prefix (<c>SBX</c> and 1 to 5 capital letters), the serial zero-padded to the
/// format's digits, and a Luhn or ISO/IEC 7064 MOD 11,10 check digit computed over the serial digits only:
/// <c>SBXEW01234567896</c>. No real courier format of <c>data/carriers</c> matches these.</item>
/// </list>
/// Numbers are checked as issued: upper-case, no spaces.
/// </summary>
public sealed class SandboxNumbers
{
    private readonly FrozenDictionary<string, SandboxCarrier> _carriers;
    private readonly FrozenDictionary<string, SandboxService> _services;
    private readonly FrozenDictionary<string, FrozenSet<string>> _indicators;

    internal SandboxNumbers(IEnumerable<SandboxCarrier> carriers, IEnumerable<SandboxService> services)
    {
        _carriers = carriers.ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);
        _services = services.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        _indicators = _carriers.Values.ToFrozenDictionary(
            c => c.Code,
            c => _services.Values.Where(s => s.CarrierCode == c.Code && s.S10ServiceIndicator is not null)
                .Select(s => s.S10ServiceIndicator!).ToFrozenSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    /// <summary>The numbers of the shipped catalogue (<see cref="SandboxCatalogue.Default"/>).</summary>
    public static SandboxNumbers Default => SandboxCatalogue.Default.Numbers;

    /// <summary>
    /// Whether <paramref name="number"/> is one <paramref name="carrierCode"/> issues: its format, its check digit, and
    /// for S10 a service indicator of one of the carrier's services and the carrier's country.
    /// </summary>
    /// <exception cref="ArgumentException">The carrier is not in the catalogue (a bug, not bad input).</exception>
    public bool IsValid(string carrierCode, string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        var carrier = CarrierOrThrow(carrierCode);
        var format = carrier.TrackingNumber;
        var text = number.AsSpan();
        if (text.Length != format.Length)
        {
            return false;
        }
        if (format.Scheme == NumberScheme.S10)
        {
            var serial = text[2..10];
            return _indicators[carrier.Code].GetAlternateLookup<ReadOnlySpan<char>>().Contains(text[..2])
                && !serial.ContainsAnyExceptInRange('0', '9')
                && text[10] == S10CheckDigit(serial)
                && text[11..].SequenceEqual(format.Country!.Value.Value.AsSpan());
        }
        var prefix = format.Prefix!;
        var digits = text[prefix.Length..^1];
        return text.StartsWith(prefix, StringComparison.Ordinal)
            && !digits.ContainsAnyExceptInRange('0', '9')
            && char.IsAsciiDigit(text[^1])
            && text[^1] == CheckDigit(format.CheckDigit, digits);
    }

    /// <summary>
    /// The number of a non-postal carrier for a serial (0 to <see cref="TrackingNumberFormat.MaxSerial"/>). Sandbox
    /// numbers do not encode the origin; <paramref name="origin"/> is accepted so that callers can number every leg alike.
    /// A postal carrier's S10 number carries its service's indicator: use <see cref="FormatFor"/>.
    /// </summary>
    public string Format(string carrierCode, long serial, CountryCode? origin = null)
    {
        var carrier = CarrierOrThrow(carrierCode);
        var format = carrier.TrackingNumber;
        if (format.Scheme == NumberScheme.S10)
        {
            throw new ArgumentException(
                $"{carrierCode} issues UPU S10 numbers, whose service indicator is the service's: use FormatFor(serviceId, serial).", nameof(carrierCode));
        }
        _ = origin;
        var digits = Serial(serial, format);
        return string.Concat(format.Prefix, digits, CheckDigit(format.CheckDigit, digits).ToString());
    }

    /// <summary>
    /// The number of a service's carrier for a serial: S10 for a postal service (its indicator, the serial, the check digit,
    /// the post's country, which <paramref name="origin"/> must be when given), else as <see cref="Format"/>.
    /// </summary>
    public string FormatFor(string serviceId, long serial, CountryCode? origin = null)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        if (!_services.TryGetValue(serviceId, out var service))
        {
            throw new ArgumentException($"'{serviceId}' is not a service of the sandbox catalogue.", nameof(serviceId));
        }
        var carrier = _carriers[service.CarrierCode];
        var format = carrier.TrackingNumber;
        if (format.Scheme != NumberScheme.S10)
        {
            return Format(carrier.Code, serial, origin);
        }
        var country = format.Country!.Value;
        if (origin is { } given && given != country)
        {
            throw new ArgumentException($"{carrier.Code} issues S10 numbers in {country}, not {given}.", nameof(origin));
        }
        var digits = Serial(serial, format);
        return string.Concat(service.S10ServiceIndicator, digits, S10CheckDigit(digits).ToString(), country.Value);
    }

    /// <summary>The sandbox carrier that issued a valid number; null when it is none of theirs.</summary>
    public SandboxCarrier? IssuerOf(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        return _carriers.Values.FirstOrDefault(c => IsValid(c.Code, number));
    }

    /// <summary>The check digit of <paramref name="digits"/> (the serial only, ASCII digits) by an algorithm.</summary>
    public static char CheckDigit(CheckDigitAlgorithm algorithm, ReadOnlySpan<char> digits) => algorithm switch
    {
        CheckDigitAlgorithm.S10 => S10CheckDigit(digits),
        CheckDigitAlgorithm.Luhn => LuhnCheckDigit(digits),
        CheckDigitAlgorithm.Iso7064Mod11And10 => Iso7064Mod11And10CheckDigit(digits),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>
    /// UPU S10 (S10-12, 2.2): weights 8, 6, 4, 2, 3, 5, 9, 7 over the 8 serial digits; c = 11 - (sum mod 11), where
    /// 10 becomes 0 and 11 becomes 5.
    /// </summary>
    public static char S10CheckDigit(ReadOnlySpan<char> serial)
    {
        ReadOnlySpan<int> weights = [8, 6, 4, 2, 3, 5, 9, 7];
        if (serial.Length != weights.Length)
        {
            throw new ArgumentException("An S10 serial has 8 digits.", nameof(serial));
        }
        var sum = 0;
        for (var i = 0; i < serial.Length; i++)
        {
            sum += Digit(serial[i]) * weights[i];
        }
        var check = 11 - (sum % 11);
        return (char)('0' + check switch
        {
            10 => 0,
            11 => 5,
            _ => check,
        });
    }

    /// <summary>
    /// Luhn (ISO/IEC 7812-1 annex B): from the rightmost digit leftwards, every other digit starting with the rightmost is
    /// doubled (9 subtracted when the double exceeds 9); c = (10 - sum mod 10) mod 10, so that the digits followed by c pass.
    /// </summary>
    public static char LuhnCheckDigit(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = true;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = Digit(digits[i]);
            if (doubled)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }
            sum += d;
            doubled = !doubled;
        }
        return (char)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary>
    /// ISO/IEC 7064 MOD 11,10 (the hybrid system): p = 10; for each digit d, left to right, s = (p + d) mod 10 (10 when 0)
    /// and p = 2s mod 11; c = (11 - p) mod 10. Catches every single wrong digit, like Luhn, and most swaps of neighbours.
    /// </summary>
    public static char Iso7064Mod11And10CheckDigit(ReadOnlySpan<char> digits)
    {
        var p = 10;
        foreach (var c in digits)
        {
            var s = (p + Digit(c)) % 10;
            p = (s == 0 ? 10 : s) * 2 % 11;
        }
        return (char)('0' + ((11 - p) % 10));
    }

    private SandboxCarrier CarrierOrThrow(string carrierCode)
    {
        ArgumentNullException.ThrowIfNull(carrierCode);
        return _carriers.TryGetValue(carrierCode, out var carrier)
            ? carrier
            : throw new ArgumentException($"'{carrierCode}' is not a carrier of the sandbox catalogue.", nameof(carrierCode));
    }

    private static string Serial(long serial, TrackingNumberFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(serial);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serial, format.MaxSerial);
        return serial.ToString("D" + format.SerialDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static int Digit(char c) =>
        char.IsAsciiDigit(c) ? c - '0' : throw new ArgumentException($"'{c}' is not a digit: check digits are computed over digits only.");
}
