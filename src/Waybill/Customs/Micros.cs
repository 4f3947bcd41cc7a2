using System.Runtime.CompilerServices;
using Waybill.Common;

namespace Waybill.Customs;

/// <summary>
/// The landed-cost calculator's fixed-point arithmetic: money as a <see cref="long"/> count of millionths of the
/// currency's major unit (micros), rates as a count of ten-billionths (a fraction: 21% is 2,100,000,000). Products are
/// truncated to whole micros, which never changes a later rounding half away from zero to a minor unit (at most three
/// decimals): truncation moves a value down to a finer grid, and a value at or above a midpoint stays at or above it.
/// Amounts up to 9.2 trillion units of a currency; beyond, <see cref="OverflowException"/>.
/// </summary>
internal static class Micros
{
    public const long PerUnit = 1_000_000;
    public const long RateOne = 10_000_000_000;

    /// <summary>An amount beyond the calculator's range, kept by a request until a quote refuses it.</summary>
    public const long Invalid = long.MinValue;

    private const long Trillion = 1_000_000_000_000;

    private static readonly long[] Powers = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

    /// <summary>A decimal amount in micros, rounded half away from zero to six decimals.</summary>
    public static long Of(decimal amount)
    {
        if (amount.Scale > 6)
        {
            amount = decimal.Round(amount, 6, MidpointRounding.AwayFromZero);
        }
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(amount, bits);
        if (bits[2] != 0 || bits[1] < 0)
        {
            throw new OverflowException($"{amount} is beyond the landed-cost calculator's range.");
        }
        var mantissa = unchecked((long)(((ulong)(uint)bits[1] << 32) | (uint)bits[0]));
        var micros = checked(mantissa * Powers[6 - ((bits[3] >> 16) & 0xFF)]);
        return bits[3] < 0 ? -micros : micros;
    }

    /// <summary>As <see cref="Of"/>, or <see cref="Invalid"/> beyond range (for a request built before it is quoted).</summary>
    public static long OrInvalid(decimal amount)
    {
        // The usual amount (at most six decimals, under 9 trillion) straight from its bits, without decimal arithmetic.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(amount, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = unchecked(((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        if (bits[2] == 0 && scale <= 6 && mantissa < 9_000_000_000_000UL * (ulong)Powers[scale])
        {
            var micros = (long)mantissa * Powers[6 - scale];
            return bits[3] < 0 ? -micros : micros;
        }
        return amount is > -9_000_000_000_000m and < 9_000_000_000_000m ? Of(amount) : Invalid;
    }

    /// <summary>The micros, or <see cref="OverflowException"/> for <see cref="Invalid"/>.</summary>
    public static long Valid(long micros) =>
        micros == Invalid ? throw new OverflowException("An amount is beyond the landed-cost calculator's range.") : micros;

    /// <summary>A percentage (21.5) as a rate: the fraction in ten-billionths (2,150,000,000). Exact to eight decimals of a percent.</summary>
    public static long RateOf(decimal percent) => (long)decimal.Round(percent * 100_000_000m, 0, MidpointRounding.AwayFromZero);

    /// <summary>micros × rate, truncated to whole micros (non-negative operands).</summary>
    public static long Apply(long micros, long rate)
    {
        var high = Math.BigMul(micros, rate, out var low);
        return high == 0 && low >= 0 ? low / RateOne : micros >= 0 && rate >= 0 ? DivideProduct(micros, rate, RateOne) : (long)(((Int128)micros * rate) / RateOne);
    }

    /// <summary>a × b / c, truncated (non-negative operands; c above zero).</summary>
    public static long MulDiv(long a, long b, long c)
    {
        var high = Math.BigMul(a, b, out var low);
        return high == 0 && low >= 0 ? low / c : a >= 0 && b >= 0 && c is > 0 and < 1L << 60 ? DivideProduct(a, b, c) : (long)(((Int128)a * b) / c);
    }

    /// <summary>
    /// a × b / c, truncated, for a product beyond 64 bits (non-negative a and b; c above zero and below 2^60): the quotient
    /// estimated in floating point, then made exact on the product's low 64 bits, where a 128-bit division costs ten times
    /// as much. Below 4e15 the estimate is within a unit or two, so the true remainder is a few times c at most and
    /// the low 64 bits hold it exactly.
    /// </summary>
    private static long DivideProduct(long a, long b, long c)
    {
        var estimate = (double)a * b / c;
        if (estimate >= 4e15)
        {
            return checked((long)(((Int128)a * b) / c));
        }
        return Exact(a, b, c, estimate, out _);
    }

    /// <summary>
    /// The quotient of a × b by c from its floating-point estimate, made exact on the product's low 64 bits: the estimate
    /// (below 4e15) is within a few units, so the true remainder is within a few times c and the low 64 bits hold it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Exact(long a, long b, long c, double estimate, out long remainder)
    {
        unchecked
        {
            var quotient = (long)estimate;
            remainder = (a * b) - (quotient * c);
            while (remainder < 0)
            {
                quotient--;
                remainder += c;
            }
            while (remainder >= c)
            {
                quotient++;
                remainder -= c;
            }
            return quotient;
        }
    }

    /// <summary>Rounds micros half away from zero to the currency's minor unit, answering the count of minor units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // every charge rounds its amount: a call per charge cost more than the division
    public static long ToMinor(long micros, int minorUnits)
    {
        // Rounded on the magnitude, the sign put back after: half away from zero. Constant divisors: the compiler turns
        // each into a multiplication.
        var magnitude = micros < 0 ? -micros : micros;
        var minor = minorUnits switch
        {
            0 => (magnitude + 500_000) / 1_000_000,
            1 => (magnitude + 50_000) / 100_000,
            2 => (magnitude + 5_000) / 10_000,
            3 => (magnitude + 500) / 1_000,
            4 => (magnitude + 50) / 100,
            5 => (magnitude + 5) / 10,
            _ => magnitude,
        };
        return micros < 0 ? -minor : minor;
    }

    /// <summary>Micros per minor unit of a currency with that many decimals.</summary>
    public static long MinorStep(int minorUnits) => Powers[6 - Math.Min(minorUnits, 6)];

    /// <summary>A count of minor units as a decimal with the currency's scale (12.30 for 1230 cents).</summary>
    public static decimal MinorToDecimal(long minor, int minorUnits) => Compose(minor, (byte)minorUnits);

    /// <summary>
    /// A count of minor units written as the decimal <see cref="MinorToDecimal"/> makes is written in JSON (12.30 for
    /// 1230 cents, 0.05 for 5, 7 for 7 yen), as ASCII into <paramref name="destination"/> (24 bytes suffice); the length.
    /// </summary>
    public static int FormatMinor(long minor, int minorUnits, Span<byte> destination)
    {
        var at = 0;
        if (minor < 0)
        {
            destination[at++] = (byte)'-';
        }
        // Written by hand: the formatter's precision form goes through its general machinery, and an answer writes some
        // fifteen amounts. All the digits first (at least one before the point), then the decimals moved one place
        // right for the point: no division by the currency's step.
        var magnitude = minor < 0 ? unchecked((ulong)-minor) : (ulong)minor;
        if (minorUnits == 2)
        {
            // Most currencies: the whole units, the point, and the cents as one pair of digits.
            var whole = magnitude / 100;
            var cents = (int)(magnitude - (whole * 100)) * 2;
            at += WriteDigits(whole, 1, destination[at..]);
            destination[at + 2] = DigitPairs[cents + 1];
            destination[at + 1] = DigitPairs[cents];
            destination[at] = (byte)'.';
            return at + 3;
        }
        var written = WriteDigits(magnitude, minorUnits + 1, destination[at..]);
        if (minorUnits > 0)
        {
            var point = at + written - minorUnits;
            destination.Slice(point, minorUnits).CopyTo(destination[(point + 1)..]);
            destination[point] = (byte)'.';
            written++;
        }
        return at + written;
    }

    /// <summary>
    /// An exchange factor in trillionths written as the decimal <see cref="FactorToDecimal"/> makes is written in JSON
    /// (1.0825, 0.9, 150): its trailing zeros dropped; the length (32 bytes suffice).
    /// </summary>
    public static int FormatFactor(long trillionths, Span<byte> destination)
    {
        var scale = 12;
        while (scale > 0 && trillionths % 10 == 0)
        {
            trillionths /= 10;
            scale--;
        }
        return FormatMinor(trillionths, scale, destination);
    }

    /// <summary>
    /// A number in decimal ASCII digits, with leading zeros up to <paramref name="minDigits"/>: the count written, or
    /// -1 when <paramref name="destination"/> is too short.
    /// </summary>
    public static int WriteDigits(ulong value, int minDigits, Span<byte> destination)
    {
        var count = Math.Max(CountDigits(value), minDigits);
        if (count > destination.Length)
        {
            return -1;
        }
        // Two digits per division by the constant 100 (a multiplication), from a table of the pairs.
        var pairs = DigitPairs;
        var i = count;
        while (value >= 100)
        {
            var quotient = value / 100;
            var pair = (int)(value - (quotient * 100)) * 2;
            value = quotient;
            destination[--i] = pairs[pair + 1];
            destination[--i] = pairs[pair];
        }
        if (value >= 10)
        {
            destination[--i] = pairs[((int)value * 2) + 1];
            destination[--i] = pairs[(int)value * 2];
        }
        else
        {
            destination[--i] = (byte)('0' + (int)value);
        }
        if (i > 0)
        {
            destination[..i].Fill((byte)'0');
        }
        return count;
    }

    /// <summary>The number of decimal digits of <paramref name="value"/> (1 for 0).</summary>
    private static int CountDigits(ulong value)
    {
        // log10 from log2 (1233/4096 ≈ log10(2)), then corrected by one comparison.
        var estimate = ((System.Numerics.BitOperations.Log2(value | 1) + 1) * 1233) >> 12;
        return Math.Max(1, estimate + (value >= PowersOfTen[estimate] ? 1 : 0));
    }

    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    private static readonly ulong[] PowersOfTen =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000,
        1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000, 10_000_000_000_000_000,
        100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>Micros rounded to the currency's minor unit, as a decimal with its scale.</summary>
    public static decimal Round(long micros, Currency currency) => MinorToDecimal(ToMinor(micros, currency.MinorUnits), currency.MinorUnits);

    private static decimal Compose(long mantissa, byte scale)
    {
        var magnitude = mantissa < 0 ? unchecked((ulong)-mantissa) : (ulong)mantissa;
        return new decimal(unchecked((int)magnitude), unchecked((int)(magnitude >> 32)), 0, mantissa < 0, scale);
    }

    /// <summary>
    /// Micros converted at a rate given in trillionths (units of the target per unit of the source × 10^12), rounded
    /// half away from zero to whole micros: the exact 128-bit product, divided by 10^12 in two exact steps.
    /// </summary>
    public static long Convert(long micros, long factor)
    {
        if (micros < 0)
        {
            return -Convert(-micros, factor);
        }
        // The quotient estimated in floating point (within a few units below 2^52), then made exact on the product's low
        // 64 bits: integer multiplications only, where a 128-bit division would cost ten times as much.
        var estimate = (double)micros * factor * 1e-12;
        if (estimate >= 4e15)
        {
            return checked((long)((((Int128)micros * factor) + (Trillion / 2)) / Trillion));
        }
        var quotient = Exact(micros, factor, Trillion, estimate, out var remainder);
        return remainder >= Trillion / 2 ? quotient + 1 : quotient;
    }

    /// <summary>Trillionths as the decimal factor, without trailing zeros (1.085 for 1,085,000,000,000).</summary>
    public static decimal FactorToDecimal(long trillionths)
    {
        byte scale = 12;
        while (scale > 0 && trillionths % 10 == 0)
        {
            trillionths /= 10;
            scale--;
        }
        return Compose(trillionths, scale);
    }

    /// <summary>A decimal factor (at most twelve decimals) in trillionths.</summary>
    public static long FactorOf(decimal factor) => (long)(decimal.Round(factor, 12) * 1_000_000_000_000m);
}
