using Microsoft.EntityFrameworkCore;

namespace Waybill.Persistence;

/// <summary>Finding orders by a piece of their reference, buyer name or buyer email.</summary>
public static class OrderSearch
{
    /// <summary>
    /// The ids of the tenant's orders whose reference, buyer name or buyer email contains <paramref name="text"/>, case
    /// aside (PostgreSQL folds every letter; SQLite's lower() folds ASCII letters only), for use inside another query. In
    /// SQL because the email is a value-converted column, which LINQ cannot search inside. A scan of the tenant's orders:
    /// no index serves a substring.
    /// </summary>
    public static IQueryable<Guid> OrderIdsMatching(this WaybillDb db, string text)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(text);
        var pattern = "%" + EscapeLike(text.Trim().ToLowerInvariant()) + "%";
        return db.Orders.FromSql($"""
            SELECT * FROM orders
            WHERE lower(reference) LIKE {pattern} ESCAPE '\' OR lower(buyer_name) LIKE {pattern} ESCAPE '\' OR lower(buyer_email) LIKE {pattern} ESCAPE '\'
            """).Select(o => o.Id);
    }

    /// <summary>The text with LIKE's wildcards and the escape character escaped, so that they match themselves.</summary>
    internal static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
