using System.Security.Cryptography;
using System.Text;

namespace Waybill.Tenancy;

/// <summary>API keys: 256 random bits, shown once, stored only as a SHA-256 hash.</summary>
public static class ApiKeys
{
    public const string Prefix = "wb_";

    public static string Generate() =>
        Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        var byteCount = Encoding.UTF8.GetByteCount(key);
        var buffer = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(key, buffer);
        SHA256.HashData(buffer, hash);
        return Convert.ToHexStringLower(hash);
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
