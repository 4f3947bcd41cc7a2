using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Waybill.Tracking.Detection;

/// <summary>A format's <c>validation.checksum</c>: the algorithm the data names, with the parameters it gives.</summary>
internal sealed class ChecksumRule
{
    private readonly Algorithm _algorithm;
    private readonly int? _evensMultiplier;
    private readonly int? _oddsMultiplier;
    private readonly bool _reverse;
    private readonly int[] _weights;
    private readonly int _modulo1;
    private readonly int _modulo2;
    private readonly int _modulo;
    private readonly string _alphabet;

    private ChecksumRule(string name, Algorithm algorithm, int? evens, int? odds, bool reverse, int[] weights, int modulo1, int modulo2, int modulo, string alphabet)
    {
        Name = name;
        _algorithm = algorithm;
        _evensMultiplier = evens;
        _oddsMultiplier = odds;
        _reverse = reverse;
        _weights = weights;
        _modulo1 = modulo1;
        _modulo2 = modulo2;
        _modulo = modulo;
        _alphabet = alphabet;
    }

    private enum Algorithm
    {
        Mod7,
        Mod10,
        S10,
        SumProductWithWeightingsAndModulo,
        Mod37And36,
        Luhn,
    }

    /// <summary>The algorithm's name in the data (<c>mod10</c>, <c>s10</c>, ...).</summary>
    public string Name { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Holds(ReadOnlySpan<char> serial, ReadOnlySpan<char> checkDigit) => _algorithm switch
    {
        Algorithm.Mod7 => CheckDigits.Mod7(serial, checkDigit),
        Algorithm.Mod10 => CheckDigits.Mod10(serial, checkDigit, _evensMultiplier, _oddsMultiplier, _reverse),
        Algorithm.S10 => CheckDigits.S10(serial, checkDigit, _weights),
        Algorithm.SumProductWithWeightingsAndModulo => CheckDigits.SumProductWithWeightingsAndModulo(serial, checkDigit, _weights, _modulo1, _modulo2),
        Algorithm.Mod37And36 => CheckDigits.Mod37And36(serial, checkDigit, _modulo, _alphabet),
        _ => CheckDigits.Luhn(serial, checkDigit),
    };

    /// <summary>Reads <c>validation.checksum</c>; an algorithm Waybill does not implement is a data error, not a pass.</summary>
    public static ChecksumRule Parse(JsonElement checksum, string where)
    {
        var name = checksum.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        var algorithm = name switch
        {
            "mod7" => Algorithm.Mod7,
            "mod10" => Algorithm.Mod10,
            "s10" => Algorithm.S10,
            "sum_product_with_weightings_and_modulo" => Algorithm.SumProductWithWeightingsAndModulo,
            "mod_37_36" => Algorithm.Mod37And36,
            "luhn" => Algorithm.Luhn,
            _ => throw new InvalidDataException($"{where}: unknown check-digit algorithm '{name}'."),
        };
        var weights = checksum.TryGetProperty("weightings", out var w) ? w.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [];
        if (algorithm == Algorithm.SumProductWithWeightingsAndModulo && (weights.Length == 0 || !checksum.TryGetProperty("modulo1", out _) || !checksum.TryGetProperty("modulo2", out _)))
        {
            throw new InvalidDataException($"{where}: {name} needs weightings, modulo1 and modulo2.");
        }
        var alphabet = checksum.TryGetProperty("alphabet", out var a) ? a.GetString() ?? "" : "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var modulo = Int(checksum, "modulo") ?? 36;
        if (algorithm == Algorithm.Mod37And36 && alphabet.Length < modulo)
        {
            throw new InvalidDataException($"{where}: mod_37_36 needs an alphabet of at least modulo characters.");
        }
        return new ChecksumRule(
            name,
            algorithm,
            Int(checksum, "evens_multiplier"),
            Int(checksum, "odds_multiplier"),
            checksum.TryGetProperty("reverse", out var r) && r.ValueKind == JsonValueKind.True,
            weights,
            Int(checksum, "modulo1") ?? 1,
            Int(checksum, "modulo2") ?? 1,
            modulo,
            alphabet);
    }

    private static int? Int(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
