namespace Waybill.Common;

internal static class Decimals
{
    /// <summary>Drops trailing zeros (12.5000 becomes 12.5) so amounts read back from storage print as they were sent.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}
