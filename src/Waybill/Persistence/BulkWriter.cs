using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Waybill.Persistence;

/// <summary>
/// The bulk-write path beside EF for bulk loads (CSV import, set-up data): prepared inserts on SQLite, binary COPY
/// on PostgreSQL. (Tracking-event ingest has its own path, <see cref="EventStore"/>.) Tables, columns and value conversions come from the EF model,
/// so rows written here read back through EF exactly as if EF had written them.
/// Runs inside the caller's transaction (<see cref="DatabaseFacade.CurrentTransaction"/>).
/// </summary>
public static class BulkWriter
{
    public static async Task InsertAsync<T>(WaybillDb db, IEnumerable<T> rows, Action<int>? written, CancellationToken ct)
        where T : class
    {
        var (table, columns, connection, transaction) = Describe<T>(db);
        switch (connection)
        {
            case SqliteConnection sqlite:
                InsertSqlite(sqlite, (SqliteTransaction)transaction, table, columns, rows, written, ct);
                break;
            case NpgsqlConnection npgsql:
                await CopyPostgresAsync(npgsql, table, columns, rows, written, ct);
                break;
            default:
                throw new NotSupportedException($"No bulk writer for {connection.GetType().Name}.");
        }
    }

    /// <summary>
    /// Sets one text column of many rows of <typeparamref name="T"/>, by id, inside the open transaction: a prepared
    /// UPDATE rebound per row on SQLite, one UPDATE from two arrays on PostgreSQL.
    /// </summary>
    public static async Task UpdateTextAsync<T>(WaybillDb db, string property, IReadOnlyList<(Guid Id, string? Value)> rows, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }
        var (table, columns, connection, transaction) = Describe<T>(db);
        var id = columns.Single(c => c.Property.IsPrimaryKey()).Name;
        var column = columns.Single(c => c.Property.Name == property).Name;
        switch (connection)
        {
            case SqliteConnection sqlite:
                using (var update = sqlite.CreateCommand())
                {
                    update.Transaction = (SqliteTransaction)transaction;
                    update.CommandText = $"UPDATE \"{table}\" SET \"{column}\" = @value WHERE \"{id}\" = @id";
                    var value = update.Parameters.Add(new SqliteParameter("@value", null));
                    var key = update.Parameters.Add(new SqliteParameter("@id", null));
                    update.Prepare();
                    foreach (var (rowId, text) in rows)
                    {
                        value.Value = (object?)text ?? DBNull.Value;
                        key.Value = SqliteWaybillDb.GuidText(rowId);
                        update.ExecuteNonQuery();
                    }
                }
                break;
            case NpgsqlConnection npgsql:
                await using (var update = npgsql.CreateCommand())
                {
                    update.Transaction = (NpgsqlTransaction)transaction;
                    update.CommandText = $"UPDATE \"{table}\" AS t SET \"{column}\" = v.value FROM unnest(@ids, @values) AS v(id, value) WHERE t.\"{id}\" = v.id";
                    update.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
                    update.Parameters.AddWithValue("values", rows.Select(r => r.Value).ToArray());
                    await update.ExecuteNonQueryAsync(ct);
                }
                break;
            default:
                throw new NotSupportedException($"No bulk writer for {connection.GetType().Name}.");
        }
    }

    /// <summary>The table and columns of <typeparamref name="T"/> in the EF model, and the open transaction.</summary>
    private static (string Table, Column[] Columns, DbConnection Connection, DbTransaction Transaction) Describe<T>(WaybillDb db)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Select(p => new Column(p, p.GetColumnName(store)!, p.GetTypeMapping().Converter, p.GetColumnType()))
            .ToArray();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Bulk writes run inside a transaction.");
        return (table, columns, db.Database.GetDbConnection(), transaction);
    }

    private sealed record Column(IProperty Property, string Name, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter? Converter, string StoreType)
    {
        public object? ValueOf(object entity)
        {
            var value = Property.GetGetter().GetClrValue(entity);
            return value is null ? null : Converter is null ? value : Converter.ConvertToProvider(value);
        }

        /// <summary>Npgsql's data type name without length or precision modifiers (<c>character varying</c>).</summary>
        public string DataTypeName => StoreType.IndexOf('(', StringComparison.Ordinal) is var i and > 0 ? StoreType[..i] : StoreType;
    }

    private static void InsertSqlite<T>(
        SqliteConnection connection, SqliteTransaction transaction, string table, Column[] columns,
        IEnumerable<T> rows, Action<int>? written, CancellationToken ct)
        where T : class
    {
        // One prepared single-row INSERT, rebound per row: binding is by parameter name (linear in the
        // statement's parameter count), so multi-row VALUES statements get slower, not faster (measured).
        using var insert = Prepare(connection, transaction, table, columns);
        var count = 0;
        foreach (var row in rows)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                insert.Parameters[c].Value = columns[c].ValueOf(row) switch
                {
                    null => DBNull.Value,
                    Guid g => SqliteWaybillDb.GuidText(g),
                    var v => v,
                };
            }
            insert.ExecuteNonQuery(); // SQLite runs in-process; the async variant only adds overhead per row
            if (++count % 1000 == 0)
            {
                ct.ThrowIfCancellationRequested();
                written?.Invoke(count);
            }
        }
        written?.Invoke(count);
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string table, Column[] columns)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, c) => $"@p{c}"))})";
        for (var c = 0; c < columns.Length; c++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{c}", null));
        }
        command.Prepare();
        return command;
    }

    private static async Task CopyPostgresAsync<T>(
        NpgsqlConnection connection, string table, Column[] columns, IEnumerable<T> rows, Action<int>? written, CancellationToken ct)
        where T : class
    {
        var copy = $"COPY \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)";
        await using var importer = await connection.BeginBinaryImportAsync(copy, ct);
        var count = 0;
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                var value = column.ValueOf(row);
                if (value is null)
                {
                    await importer.WriteNullAsync(ct);
                }
                else
                {
                    await importer.WriteAsync(value, column.DataTypeName, ct);
                }
            }
            if (++count % 1000 == 0)
            {
                written?.Invoke(count);
            }
        }
        await importer.CompleteAsync(ct);
        written?.Invoke(count);
    }
}
