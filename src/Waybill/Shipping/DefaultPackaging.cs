using System.Text.Json;
using Waybill.Common;

namespace Waybill.Shipping;

/// <summary>One parcel as rated and booked: its weight and outer size.</summary>
public sealed record Parcel(decimal WeightKg, decimal LengthCm, decimal WidthCm, decimal HeightCm);

/// <summary>A box of the default-packaging table.</summary>
public sealed record PackagingBox(string Name, decimal MaxContentKg, decimal LengthCm, decimal WidthCm, decimal HeightCm, decimal TareKg);

/// <summary>
/// Packs order lines into one parcel from the default-packaging table (<c>data/packaging/default-boxes.json</c>):
/// the smallest box whose content limit holds the goods' weight; the parcel weighs the goods plus the box.
/// </summary>
public sealed class DefaultPackaging
{
    private static readonly Lazy<DefaultPackaging> Shipped = new(() => Load(ReferenceData.PathOf("packaging", "default-boxes.json")));

    private DefaultPackaging(IReadOnlyList<PackagingBox> boxes) => Boxes = boxes;

    public static DefaultPackaging Default => Shipped.Value;

    /// <summary>In increasing content limit.</summary>
    public IReadOnlyList<PackagingBox> Boxes { get; }

    /// <summary>The parcel for goods of this weight; null, with the reason, when no box holds them.</summary>
    public Parcel? Pack(decimal goodsKg, out string? reason)
    {
        if (goodsKg <= 0)
        {
            reason = "The goods have no weight to pack.";
            return null;
        }
        var box = Boxes.FirstOrDefault(b => goodsKg <= b.MaxContentKg);
        if (box is null)
        {
            reason = $"{goodsKg} kg of goods is more than the largest default box holds ({Boxes[^1].MaxContentKg} kg): give the parcels instead of the lines.";
            return null;
        }
        reason = null;
        return new Parcel(goodsKg + box.TareKg, box.LengthCm, box.WidthCm, box.HeightCm);
    }

    public static DefaultPackaging Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var boxes = new List<PackagingBox>();
        var index = 0;
        foreach (var row in document.RootElement.GetProperty("boxes").EnumerateArray())
        {
            var box = new PackagingBox(
                row.GetProperty("name").GetString() ?? "",
                row.GetProperty("maxContentKg").GetDecimal(),
                row.GetProperty("lengthCm").GetDecimal(),
                row.GetProperty("widthCm").GetDecimal(),
                row.GetProperty("heightCm").GetDecimal(),
                row.GetProperty("tareKg").GetDecimal());
            if (box.Name.Length == 0 || box.MaxContentKg <= 0 || box.LengthCm <= 0 || box.WidthCm <= 0 || box.HeightCm <= 0 || box.TareKg < 0
                || (boxes.Count > 0 && box.MaxContentKg <= boxes[^1].MaxContentKg))
            {
                throw new InvalidDataException(
                    $"{path}: boxes[{index}] must have a name, positive sizes and limit, a tare of 0 or more, and a larger limit than the box before.");
            }
            boxes.Add(box);
            index++;
        }
        if (boxes.Count == 0)
        {
            throw new InvalidDataException($"{path}: no boxes.");
        }
        return new DefaultPackaging(boxes);
    }
}
