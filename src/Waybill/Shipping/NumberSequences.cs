using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Waybill.Persistence;

namespace Waybill.Shipping;

/// <summary>
/// A named counter of serial numbers (one per tracking-number series: a carrier, or an S10 series of one post and
/// service indicator). Shared by every tenant, since a carrier's numbers are unique across its customers.
/// </summary>
public sealed class NumberSequence
{
    private NumberSequence()
    {
    }

    /// <summary>The series, e.g. <c>s10:CN:R</c> or <c>sbx-express</c>.</summary>
    public string Key { get; private set; } = "";

    /// <summary>The next serial to hand out.</summary>
    public long Next { get; private set; }
}

/// <summary>Hands out serials from a <see cref="NumberSequence"/>; no serial is ever handed out twice.</summary>
public static class NumberSequences
{
    public const int MaxKeyLength = 64;

    /// <summary>
    /// Takes <paramref name="count"/> consecutive serials of the series (the first series starts at 1) in one atomic
    /// statement (<c>INSERT ... ON CONFLICT DO UPDATE ... RETURNING</c> on both databases), inside the caller's
    /// transaction when there is one: two callers never get the same serial, whatever their timing. Answers the first.
    /// </summary>
    public static async Task<long> TakeAsync(WaybillDb db, string key, int count, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, MaxKeyLength, nameof(key));
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct);
        }
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText =
                "INSERT INTO number_sequences (\"key\", \"next\") VALUES (@key, 1 + @count) " +
                "ON CONFLICT (\"key\") DO UPDATE SET \"next\" = number_sequences.\"next\" + @count RETURNING \"next\"";
            Add(command, "@key", key);
            Add(command, "@count", (long)count);
            var next = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            return next - count;
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
