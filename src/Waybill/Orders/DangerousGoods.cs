using System.Collections.Frozen;
using System.Text.Json;
using Waybill.Common;

namespace Waybill.Orders;

/// <summary>
/// The dangerous goods an order line may carry (<c>UN3480, UN3481, UN3090, UN3091, liquid, aerosol, magnet,
/// powder</c>), and the defaults by HS code (<c>data/dangerous-goods/hs-defaults.json</c>) for a line that declares
/// none. Carriers' restrictions are written against these values.
/// </summary>
public static class DangerousGoods
{
    /// <summary>Every accepted value, in the order they are shown.</summary>
    public static IReadOnlyList<string> Values { get; } = ["UN3480", "UN3481", "UN3090", "UN3091", "liquid", "aerosol", "magnet", "powder"];

    private static readonly FrozenDictionary<string, string> ByKey =
        Values.ToFrozenDictionary(v => v.ToUpperInvariant(), StringComparer.Ordinal);

    private static readonly Lazy<Defaults> Table = new(() => Defaults.Load(ReferenceData.PathOf("dangerous-goods", "hs-defaults.json")));

    /// <summary>
    /// The values as stored: each one known (any case), duplicates dropped, in the order of <see cref="Values"/>.
    /// Answers null, with the reason, when one is not known.
    /// </summary>
    public static IReadOnlyList<string>? Normalize(IReadOnlyList<string?> values, out string? reason)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is null || !ByKey.TryGetValue(value.Trim().ToUpperInvariant(), out var known))
            {
                reason = $"'{value}' is not a dangerous-goods value: {string.Join(", ", Values)}.";
                return null;
            }
            found.Add(known);
        }
        reason = null;
        return Values.Where(found.Contains).ToList();
    }

    /// <summary>Every value any of the lines carries, once, in the order of <see cref="Values"/>.</summary>
    public static IReadOnlyList<string> Union(IEnumerable<IEnumerable<string>> lines)
    {
        var found = lines.SelectMany(l => l).ToHashSet(StringComparer.Ordinal);
        return Values.Where(found.Contains).ToList();
    }

    /// <summary>The defaults for a line that declares nothing: those of the longest matching HS prefix, else none.</summary>
    public static IReadOnlyList<string> DefaultFor(HsCode hsCode) => Table.Value.For(hsCode.Digits);

    /// <summary>Stored as one text column: the values comma-separated (empty for none).</summary>
    internal static string ToColumn(IReadOnlyList<string> values) => string.Join(',', values);

    internal static IReadOnlyList<string> FromColumn(string column) =>
        column.Length == 0 ? [] : column.Split(',');

    private sealed class Defaults(FrozenDictionary<string, IReadOnlyList<string>> byPrefix)
    {
        public IReadOnlyList<string> For(string digits)
        {
            for (var length = digits.Length; length >= 2; length--)
            {
                if (byPrefix.TryGetValue(digits[..length], out var values))
                {
                    return values;
                }
            }
            return [];
        }

        public static Defaults Load(string path)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var table = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var index = 0;
            foreach (var row in document.RootElement.GetProperty("defaults").EnumerateArray())
            {
                var hs = row.GetProperty("hs").GetString();
                var values = row.GetProperty("dangerousGoods").EnumerateArray().Select(v => v.GetString()).ToList();
                var normalized = Normalize(values, out var reason);
                if (hs is null || hs.Length < 2 || !hs.All(char.IsAsciiDigit) || normalized is null || !table.TryAdd(hs, normalized))
                {
                    throw new InvalidDataException(
                        $"{path}: defaults[{index}] is not a row of {{hs (2 to 10 digits, once), dangerousGoods}}: {reason ?? row.GetRawText()}");
                }
                index++;
            }
            return new Defaults(table.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }
}
