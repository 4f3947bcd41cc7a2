using Waybill.Shipping;
using Xunit;

namespace Waybill.Tests.Shipping;

public sealed class DefaultPackagingTests
{
    [Theory]
    [InlineData("0.2", "mailer-s", "0.23", 25, 18, 3)]
    [InlineData("0.5", "mailer-s", "0.53", 25, 18, 3)]
    [InlineData("0.501", "mailer-l", "0.551", 33, 25, 5)]
    [InlineData("4.2", "box-m", "4.5", 40, 30, 20)]
    [InlineData("30", "box-xxl", "31.1", 60, 50, 50)]
    public void Goods_go_into_the_smallest_box_that_holds_their_weight(string goods, string box, string weight, int length, int width, int height)
    {
        var parcel = DefaultPackaging.Default.Pack(decimal.Parse(goods, System.Globalization.CultureInfo.InvariantCulture), out var reason);

        Assert.Null(reason);
        Assert.Equal(new Parcel(decimal.Parse(weight, System.Globalization.CultureInfo.InvariantCulture), length, width, height), parcel);
        Assert.Contains(DefaultPackaging.Default.Boxes, b => b.Name == box && b.LengthCm == length);
    }

    [Theory]
    [InlineData("30.001")]
    [InlineData("0")]
    public void Goods_no_box_holds_are_refused_with_the_reason(string goods)
    {
        Assert.Null(DefaultPackaging.Default.Pack(decimal.Parse(goods, System.Globalization.CultureInfo.InvariantCulture), out var reason));
        Assert.NotNull(reason);
    }

    [Fact]
    public void A_table_out_of_order_is_refused_at_load_naming_the_box()
    {
        var path = Path.Combine(Path.GetTempPath(), $"boxes-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {"boxes": [
              {"name": "a", "maxContentKg": 2, "lengthCm": 30, "widthCm": 20, "heightCm": 10, "tareKg": 0.1},
              {"name": "b", "maxContentKg": 1, "lengthCm": 30, "widthCm": 20, "heightCm": 10, "tareKg": 0.1}
            ]}
            """);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => DefaultPackaging.Load(path));
            Assert.Contains("boxes[1]", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
