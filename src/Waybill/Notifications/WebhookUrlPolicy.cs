using System.Net;
using System.Net.Sockets;

namespace Waybill.Notifications;

/// <summary>
/// Which webhook URLs a seller may register: absolute http(s) URLs (https recommended), and, unless the operator allows
/// them (<c>--allow-private-webhooks</c>), none on a loopback, private, link-local, shared (CGNAT) or unspecified
/// address, so that a tenant cannot make the server POST into its own network (SSRF). The delivery checks the address
/// it actually connects to again (DNS may change after registration).
/// </summary>
public sealed record WebhookUrlPolicy(bool AllowPrivate)
{
    /// <summary>Why the URL's address is refused (null when it is fine).</summary>
    public async Task<string?> CheckAsync(Uri url, CancellationToken ct)
    {
        if (AllowPrivate)
        {
            return null;
        }
        var host = url.IdnHost.TrimStart('[').TrimEnd(']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{url.Host}' is this machine (loopback).";
        }
        if (IPAddress.TryParse(host, out var literal))
        {
            return WhyPrivate(literal) is { } why ? $"{literal} is {why}." : null;
        }
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException)
        {
            // Not resolvable now (a typo, or DNS away): the delivery checks the address it connects to anyway.
            return null;
        }
        return addresses.Select(a => (Address: a, Why: WhyPrivate(a))).FirstOrDefault(a => a.Why is not null) is { Why: { } reason } hit
            ? $"'{url.Host}' resolves to {hit.Address}, {reason}."
            : null;
    }

    /// <summary>What makes the address private (null when it is public).</summary>
    public static string? WhyPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.GetAddressBytes() is [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, .. var v4])
        {
            // NAT64's well-known prefix (64:ff9b::/96, RFC 6052) carries an IPv4 address: judge that one.
            address = new IPAddress(v4);
        }
        if (IPAddress.IsLoopback(address))
        {
            return "a loopback address";
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [0, ..] => "an unspecified address (0.0.0.0/8)",
                [10, ..] => "a private address (RFC 1918)",
                [172, >= 16 and <= 31, ..] => "a private address (RFC 1918)",
                [192, 168, ..] => "a private address (RFC 1918)",
                [169, 254, ..] => "a link-local address",
                [100, >= 64 and <= 127, ..] => "a shared (CGNAT) address (RFC 6598)",
                [>= 224, ..] => "a multicast or reserved address",
                _ => null,
            };
        }
        if (address.Equals(IPAddress.IPv6Any))
        {
            return "an unspecified address";
        }
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "a link-local address";
        }
        if (address.IsIPv6UniqueLocal)
        {
            return "a unique-local address (fc00::/7)";
        }
        return address.IsIPv6Multicast ? "a multicast address" : null;
    }
}
