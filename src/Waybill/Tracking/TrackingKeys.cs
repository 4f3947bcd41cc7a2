using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Waybill.Common;

namespace Waybill.Tracking;

/// <summary>
/// The two 64-bit keys a stored event is found by. Both are the first 8 bytes of a SHA-256, so they spread evenly and
/// cannot be steered by a carrier's input. (LegKey, EventKey) is unique: a false duplicate needs two events of the
/// same leg whose 64-bit event keys collide (about 1 in 10^13 for a leg with a thousand events).
/// </summary>
internal static class TrackingKeys
{
    /// <summary>The tenant's (carrier, number): every event of one leg has it, waiting or attached.</summary>
    public static long LegKeyOf(Guid tenantId, string carrier, string number) =>
        Hash(string.Join('\u001f', tenantId.ToString("N"), carrier, number));

    /// <summary>
    /// An event's identity: tenant, number, carrier, code (ignoring case), instant to the second, country, city
    /// (ignoring case) and postal code.
    /// </summary>
    public static long EventKeyOf(Guid tenantId, string number, string carrier, string code, DateTimeOffset at, CountryCode country, string? city, string? postal) =>
        Hash(string.Join('\u001f', tenantId.ToString("N"), number, carrier, code.ToUpperInvariant(),
            at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), country.Value, city?.ToUpperInvariant() ?? "", postal ?? ""));

    public static UInt128 Combine(long legKey, long eventKey) => new(unchecked((ulong)legKey), unchecked((ulong)eventKey));

    private static long Hash(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash);
    }
}
