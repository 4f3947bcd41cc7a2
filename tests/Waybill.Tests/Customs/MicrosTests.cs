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
}
