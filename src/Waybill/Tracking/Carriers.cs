using System.Collections.Frozen;
using Waybill.Tracking.Detection;

namespace Waybill.Tracking;

/// <summary>Carrier names and tracking numbers as the tracking capability needs them.</summary>
internal static class Carriers
{
    /// <summary>Carriers known by their event codes only (<c>data/tracking/events</c>), beside the registry's.</summary>
    private static readonly Lazy<FrozenSet<string>> MappedCarriers = new(() => EventMapping.Default.Carriers.ToFrozenSet(StringComparer.Ordinal));

    /// <summary>Upper-case, spaces removed: the one form numbers are stored and matched in.</summary>
    public static string NormalizeNumber(string number)
    {
        Span<char> buffer = number.Length <= 128 ? stackalloc char[number.Length] : new char[number.Length];
        var n = 0;
        foreach (var c in number)
        {
            if (!char.IsWhiteSpace(c))
            {
                buffer[n++] = char.ToUpperInvariant(c);
            }
        }
        return new string(buffer[..n]);
    }

    /// <summary>
    /// The canonical carrier code: the registry's code for a code, name or alias (<c>FedEx</c> is <c>fedex</c>),
    /// else a carrier whose event codes Waybill maps (<c>laposte</c>); null when Waybill knows no such carrier.
    /// </summary>
    public static string? Canonical(string name)
    {
        if (CarrierRegistry.Default.Canonical(name) is { } code)
        {
            return code;
        }
        var key = name.Trim().ToLowerInvariant();
        return MappedCarriers.Value.Contains(key) ? key : null;
    }

    /// <summary>The carriers whose number format matches, whose check digit holds and that are compliant.</summary>
    public static IReadOnlyList<string> Detect(string number) =>
        CarrierRegistry.Default.CodesOf(CarrierRegistry.Default.Detect(number));
}
