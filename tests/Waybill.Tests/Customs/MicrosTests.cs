using System.Globalization;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

/// <summary>The calculator's fixed point: a decimal amount in micros, by its bits when it can be and by decimal arithmetic otherwise.</summary>
public sealed class MicrosTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("12.5", 12_500_000L)]
    [InlineData("12.50", 12_500_000L)]
    [InlineData("-3.000001", -3_000_001L)]
    [InlineData("1000000000.000", 1_000_000_000_000_000L)] // a low word above int.MaxValue
    [InlineData("999999999.999", 999_999_999_999_000L)]
    [InlineData("8999999999999.999999", 8_999_999_999_999_999_999L)]
    [InlineData("0.0000005", 1L)] // seven decimals: rounded half away from zero
    [InlineData("-0.0000005", -1L)]
    [InlineData("0.00000049", 0L)]
    public void An_amount_in_range_is_its_millionths(string amount, long micros) =>
        Assert.Equal(micros, Micros.OrInvalid(decimal.Parse(amount, CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("9000000000000")]
    [InlineData("-9000000000000")]
    [InlineData("79228162514264337593543950335")]
    public void An_amount_beyond_range_is_invalid(string amount) =>
        Assert.Equal(Micros.Invalid, Micros.OrInvalid(decimal.Parse(amount, CultureInfo.InvariantCulture)));

    /// <summary>The shortcut by the bits agrees with decimal arithmetic on any amount: mantissas of every width, scales 0 to 28, both signs.</summary>
    [Fact]
    public void The_shortcut_agrees_with_decimal_arithmetic()
    {
        var random = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            // Words drawn so that each width of mantissa (up to 96 bits) and each scale turn up often.
            int Word() => random.Next(4) switch { 0 => 0, 1 => random.Next(1000), _ => random.Next(int.MinValue, int.MaxValue) };
            var amount = new decimal(Word(), random.Next(3) == 0 ? 0 : Word(), random.Next(4) == 0 ? random.Next(3) : 0, random.Next(2) == 0,
                (byte)(random.Next(3) == 0 ? random.Next(29) : random.Next(8)));
            var expected = amount is > -9_000_000_000_000m and < 9_000_000_000_000m
                ? (long)decimal.Round(amount * 1_000_000m, 0, MidpointRounding.AwayFromZero)
                : Micros.Invalid;
            Assert.True(expected == Micros.OrInvalid(amount), amount.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData(5_000L, 2, 1L)] // 0.005 rounds half away from zero to 0.01
    [InlineData(-5_000L, 2, -1L)]
    [InlineData(4_999L, 2, 0L)]
    [InlineData(-4_999L, 2, 0L)]
    [InlineData(1_500_000L, 0, 2L)]
    [InlineData(-1_500_000L, 0, -2L)]
    [InlineData(-2_499_999L, 0, -2L)]
    [InlineData(123_456_789L, 3, 123_457L)]
    [InlineData(-123_456_789L, 1, -1_235L)]
    [InlineData(-7L, 6, -7L)]
    public void Amounts_round_half_away_from_zero_to_the_minor_unit(long micros, int minorUnits, long minor) =>
        Assert.Equal(minor, Micros.ToMinor(micros, minorUnits));

    /// <summary>
    /// A rate applied and a product divided give the truncated quotient of 128-bit arithmetic, and a conversion its
    /// quotient rounded half away from zero, on products of every width:
    /// within 64 bits, beyond them (where the quotient is estimated in floating point and corrected), and beyond 4e15.
    /// </summary>
    [Fact]
    public void Applying_a_rate_and_dividing_a_product_truncate_as_128_bit_arithmetic_does()
    {
        var random = new Random(9);
        long Operand() => random.Next(4) switch
        {
            0 => random.NextInt64(1_000_000),
            1 => random.NextInt64(1L << random.Next(20, 62)),
            2 => (1L << random.Next(30, 62)) - random.Next(3),
            _ => random.NextInt64(long.MaxValue / 1000),
        };
        var checkedCount = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var a = Operand();
            var b = Operand();
            var c = random.Next(3) switch { 0 => Micros.RateOne, 1 => 1 + random.NextInt64(1_000_000_000), _ => 1 + random.NextInt64(1L << 59) };
            var expectedApply = ((Int128)a * b) / Micros.RateOne;
            if (expectedApply <= long.MaxValue)
            {
                Assert.True(expectedApply == Micros.Apply(a, b), $"Apply({a}, {b})");
                checkedCount++;
            }
            var rounded = (((Int128)a * b) + 500_000_000_000L) / 1_000_000_000_000L; // a factor is in trillionths; half rounds up
            if (rounded <= long.MaxValue)
            {
                Assert.True(rounded == Micros.Convert(a, b), $"Convert({a}, {b})");
                Assert.True(-rounded == Micros.Convert(-a, b), $"Convert(-{a}, {b})");
            }
            var expectedDivide = ((Int128)a * b) / c;
            if (expectedDivide <= long.MaxValue)
            {
                Assert.True(expectedDivide == Micros.MulDiv(a, b, c), $"MulDiv({a}, {b}, {c})");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 50_000, $"only {checkedCount} cases fell within range");
    }

    /// <summary>
    /// The answer's numbers written by hand (two digits at a time, the point moved in) agree with the JSON serializer's
    /// decimals: every width of number, both signs, each currency's decimals, and exchange factors of every scale.
    /// </summary>
    [Fact]
    public void Amounts_and_factors_are_written_as_the_serializer_writes_their_decimals()
    {
        var random = new Random(8);
        Span<byte> text = stackalloc byte[32];
        for (var i = 0; i < 20_000; i++)
        {
            // A magnitude of 1 to 19 digits, often round (trailing zeros), or an edge.
            var digits = random.Next(1, 20);
            var magnitude = i switch
            {
                0 => 0L,
                1 => long.MaxValue,
                2 => 1L,
                _ => random.NextInt64(1, (long)Math.Min(long.MaxValue, Math.Pow(10, digits))) / (random.Next(3) == 0 ? 1000 : 1) * (random.Next(3) == 0 ? 1000 : 1),
            };
            var minor = random.Next(2) == 0 ? magnitude : -magnitude;
            var units = random.Next(0, 7);
            var length = Micros.FormatMinor(minor, units, text);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(Micros.MinorToDecimal(minor, units)), System.Text.Encoding.ASCII.GetString(text[..length]));

            var factor = Math.Abs(minor);
            length = Micros.FormatFactor(factor, text);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(Micros.FactorToDecimal(factor)), System.Text.Encoding.ASCII.GetString(text[..length]));
        }
    }

    [Theory]
    [InlineData(0UL, 1, "0")]
    [InlineData(7UL, 3, "007")]
    [InlineData(10UL, 1, "10")]
    [InlineData(99UL, 1, "99")]
    [InlineData(100UL, 2, "100")]
    [InlineData(610910UL, 6, "610910")]
    [InlineData(18446744073709551615UL, 1, "18446744073709551615")]
    public void Digits_are_written_with_leading_zeros_to_the_width(ulong value, int width, string expected)
    {
        Span<byte> text = stackalloc byte[24];
        var length = Micros.WriteDigits(value, width, text);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(text[..length]));
        Assert.Equal(-1, Micros.WriteDigits(value, width, text[..(expected.Length - 1)]));
    }
}
