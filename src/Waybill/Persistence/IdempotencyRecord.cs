namespace Waybill.Persistence;

/// <summary>
/// One use of an <c>Idempotency-Key</c>: claimed before the write runs, completed with the answer in the same
/// transaction as the write, replayed for 24 hours.
/// </summary>
public sealed class IdempotencyRecord
{
    public Guid TenantId { get; set; }

    public string Method { get; set; } = "";

    public string Path { get; set; } = "";

    public string Key { get; set; } = "";

    /// <summary>SHA-256 of the request body: the same key with another body is refused.</summary>
    public string RequestHash { get; set; } = "";

    /// <summary>Null while the first request is still in flight.</summary>
    public int? StatusCode { get; set; }

    public string? ContentType { get; set; }

    public string? ResponseBody { get; set; }

    public string? Location { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>An in-flight claim older than this was abandoned (a crash) and may be taken over.</summary>
    public DateTimeOffset LockedUntil { get; set; }
}
