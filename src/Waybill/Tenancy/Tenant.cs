using Waybill.Common;

namespace Waybill.Tenancy;

/// <summary>A seller using Waybill. Every other row belongs to exactly one tenant.</summary>
public sealed class Tenant
{
    private Tenant()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>The name upper-cased (invariant): names are unique ignoring case.</summary>
    public string NameKey { get; private set; } = "";

    /// <summary>SHA-256 of the API key, lower-case hex. The key itself is never stored.</summary>
    public string ApiKeyHash { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset KeyIssuedAt { get; private set; }

    /// <summary>The tenant's own currency: quotes are in it unless a request names another.</summary>
    public Currency Currency { get; private set; }

    public static string KeyOf(string name) => name.Trim().ToUpperInvariant();

    internal static Tenant Create(string name, string apiKeyHash, DateTimeOffset now, Currency? currency = null) => new()
    {
        Currency = currency ?? Currency.Parse("EUR"),
        Id = Guid.CreateVersion7(now),
        Name = name.Trim(),
        NameKey = KeyOf(name),
        ApiKeyHash = apiKeyHash,
        CreatedAt = now,
        KeyIssuedAt = now,
    };

    internal void ReplaceKey(string apiKeyHash, DateTimeOffset now)
    {
        ApiKeyHash = apiKeyHash;
        KeyIssuedAt = now;
    }
}
