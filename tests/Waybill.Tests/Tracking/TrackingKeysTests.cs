using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Waybill.Common;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Tracking;

/// <summary>
/// The keys are built in stack buffers for speed; they must stay the documented formula: the first 8 bytes (little
/// endian) of the SHA-256 of the UTF-8 parts joined by U+001F, with code and city upper-cased (invariant).
/// </summary>
public sealed class TrackingKeysTests
{
    private static readonly Guid Tenant = Guid.Parse("0b9f5a6e-3c1d-4e7f-9a2b-5c6d7e8f9a0b");

    private static long Formula(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return BinaryPrimitives.ReadInt64LittleEndian(hash);
    }

    [Fact]
    public void The_leg_key_is_the_hash_of_tenant_carrier_and_number()
    {
        Assert.Equal(Formula(Tenant.ToString("N"), "s10", "RB123456785CN"), TrackingKeys.LegKeyOf(Tenant, "s10", "RB123456785CN"));
    }

    [Theory]
    [InlineData("emd", "Frankfurt am Main", "60549")]
    [InlineData("EMD", "straße çà ΣΊΣΥΦΟΣ 北京", null)]
    [InlineData("x", null, null)]
    public void The_event_key_is_the_hash_of_the_event_identity(string code, string? city, string? postal)
    {
        var at = new DateTimeOffset(2026, 11, 20, 8, 0, 59, 999, TimeSpan.FromHours(8));
        var expected = Formula(Tenant.ToString("N"), "RB123456785CN", "s10", code.ToUpperInvariant(),
            at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "DE", city?.ToUpperInvariant() ?? "", postal ?? "");

        Assert.Equal(expected, TrackingKeys.EventKeyOf(Tenant, "RB123456785CN", "s10", code, at, CountryCode.Parse("DE"), city, postal));
    }

    [Fact]
    public void Parts_longer_than_the_stack_buffer_give_the_same_key()
    {
        var number = new string('9', 3000);
        var city = string.Concat(Enumerable.Repeat("Zürich ", 200));

        Assert.Equal(Formula(Tenant.ToString("N"), "dhl", number), TrackingKeys.LegKeyOf(Tenant, "dhl", number));
        var at = DateTimeOffset.UnixEpoch.AddDays(20_000);
        Assert.Equal(
            Formula(Tenant.ToString("N"), number, "dhl", "CODE", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "CH", city.ToUpperInvariant(), ""),
            TrackingKeys.EventKeyOf(Tenant, number, "dhl", "code", at, CountryCode.Parse("CH"), city, null));
    }
}
