using Microsoft.Data.Sqlite;
using Waybill.Persistence;
using Xunit;

namespace Waybill.Tests.Persistence;

/// <summary>
/// The native statement skips binding a value equal to the one bound before (SQLite keeps bindings between runs):
/// every sequence of values, nulls and kinds must still store exactly what was bound.
/// </summary>
public sealed class SqliteStatementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteStatementTests()
    {
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (n INTEGER, s TEXT, g TEXT)";
        create.ExecuteNonQuery();
    }

    [Fact]
    public void Repeated_changed_and_null_values_are_stored_as_bound()
    {
        var a = Guid.Parse("0b9f5a6e-3c1d-4e7f-9a2b-5c6d7e8f9a0b");
        var b = Guid.NewGuid();
        (long? N, string? S, Guid? G)[] rows =
        [
            (1, "x", a), (1, "x", a), (2, "x", a), (null, "x", b), (null, null, b), (3, null, null), (3, "ÄÖ 北京", null),
            (3, "ÄÖ 北京", a), (3, new string('y', 5000), a), (long.MinValue, "", a),
        ];
        using var insert = new SqliteStatement(_connection, "INSERT INTO t (n, s, g) VALUES (?1, ?2, ?3)");
        foreach (var (n, s, g) in rows)
        {
            insert.Bind(1, n);
            insert.Bind(2, s);
            insert.Bind(3, g);
            Assert.Equal(1, insert.Execute());
        }

        using var read = new SqliteStatement(_connection, "SELECT n, s, g FROM t ORDER BY rowid");
        var stored = new List<(long?, string?, Guid?)>();
        while (read.Read())
        {
            stored.Add((read.GetInt64OrNull(0), read.GetString(1), read.IsNull(2) ? null : read.GetGuid(2)));
        }
        read.Reset();
        Assert.Equal(rows, stored);
    }

    [Fact]
    public void A_guid_is_stored_as_efs_upper_case_text()
    {
        var id = Guid.Parse("0b9f5a6e-3c1d-4e7f-9a2b-5c6d7e8f9a0b");
        using var insert = new SqliteStatement(_connection, "INSERT INTO t (g) VALUES (?1)");
        insert.Bind(1, id);
        insert.Execute();

        using var read = _connection.CreateCommand();
        read.CommandText = "SELECT g FROM t";
        Assert.Equal("0B9F5A6E-3C1D-4E7F-9A2B-5C6D7E8F9A0B", read.ExecuteScalar());
        Assert.Equal(SqliteWaybillDb.GuidText(id), read.ExecuteScalar());
    }

    [Fact]
    public void A_failed_statement_throws_a_sqlite_exception_and_the_statement_runs_again()
    {
        using (var unique = _connection.CreateCommand())
        {
            unique.CommandText = "CREATE UNIQUE INDEX u ON t (n)";
            unique.ExecuteNonQuery();
        }
        using var insert = new SqliteStatement(_connection, "INSERT INTO t (n) VALUES (?1)");
        insert.Bind(1, 7);
        insert.Execute();

        var error = Assert.Throws<SqliteException>(() => insert.Execute());
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(2067, error.SqliteExtendedErrorCode); // SQLITE_CONSTRAINT_UNIQUE

        insert.Bind(1, 8);
        Assert.Equal(1, insert.Execute());
    }

    [Fact]
    public void Bad_sql_is_refused_when_prepared()
    {
        Assert.Throws<SqliteException>(() => new SqliteStatement(_connection, "INSERT INTO missing VALUES (1)"));
    }

    public void Dispose() => _connection.Dispose();
}
