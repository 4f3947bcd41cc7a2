using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Waybill.Persistence;

/// <summary>
/// One prepared SQLite statement driven through the native API (SQLitePCLRaw, the library under Microsoft.Data.Sqlite),
/// for the hot loops of event ingest. A <see cref="SqliteCommand"/> costs about 4 µs a row in binding and bookkeeping
/// before SQLite does any work; here a text value is encoded into a reused buffer and bound as UTF-8, GUIDs are
/// formatted as EF's upper-case text without a string, and SQLite copies every bound value (SQLITE_TRANSIENT), so the
/// buffer is free again at once. Runs on the connection's current transaction; errors throw <see cref="SqliteException"/>
/// as Microsoft.Data.Sqlite does.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;
    private byte[] _buffer = new byte[256];

    // What each parameter holds now: SQLite keeps bindings across runs, so a value equal to the one bound before is
    // not bound again (in a run of events most columns repeat: tenant, carrier, country, status, received time...).
    private readonly Bound[] _bound;

    private enum Kind : byte
    {
        Unknown,
        Null,
        Integer,
        Text,
        Guid,
    }

    private record struct Bound(Kind Kind, long Integer, string? Text, Guid Guid);

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        var rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement);
        Check(rc);
        _bound = new Bound[raw.sqlite3_bind_parameter_count(_statement) + 1];
    }

    /// <summary>Parameters are numbered from 1, in the order they appear in the SQL.</summary>
    public void Bind(int index, long value)
    {
        ref var bound = ref _bound[index];
        if (bound.Kind == Kind.Integer && bound.Integer == value)
        {
            return;
        }
        bound = new Bound(Kind.Unknown, 0, null, default);
        Check(raw.sqlite3_bind_int64(_statement, index, value));
        bound = new Bound(Kind.Integer, value, null, default);
    }

    public void Bind(int index, long? value)
    {
        if (value is { } v)
        {
            Bind(index, v);
        }
        else
        {
            BindNull(index);
        }
    }

    public void BindNull(int index)
    {
        ref var bound = ref _bound[index];
        if (bound.Kind == Kind.Null)
        {
            return;
        }
        bound = new Bound(Kind.Unknown, 0, null, default);
        Check(raw.sqlite3_bind_null(_statement, index));
        bound = new Bound(Kind.Null, 0, null, default);
    }

    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            BindNull(index);
            return;
        }
        ref var bound = ref _bound[index];
        if (bound.Kind == Kind.Text && string.Equals(bound.Text, value, StringComparison.Ordinal))
        {
            return;
        }
        bound = new Bound(Kind.Unknown, 0, null, default);
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _buffer.Length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }
        var written = Encoding.UTF8.GetBytes(value, _buffer);
        Check(raw.sqlite3_bind_text(_statement, index, _buffer.AsSpan(0, written)));
        bound = new Bound(Kind.Text, 0, value, default);
    }

    /// <summary>Binds text already in UTF-8.</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> text)
    {
        _bound[index] = new Bound(Kind.Unknown, 0, null, default);
        Check(raw.sqlite3_bind_text(_statement, index, text));
    }

    /// <summary>As <see cref="SqliteWaybillDb.GuidText"/>: upper-case "D" format.</summary>
    public void Bind(int index, Guid? value)
    {
        if (value is not { } id)
        {
            BindNull(index);
            return;
        }
        ref var bound = ref _bound[index];
        if (bound.Kind == Kind.Guid && bound.Guid == id)
        {
            return;
        }
        bound = new Bound(Kind.Unknown, 0, null, default);
        Span<byte> text = stackalloc byte[36];
        id.TryFormat(text, out _, "D");
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is >= (byte)'a' and <= (byte)'f')
            {
                text[i] -= 'a' - 'A';
            }
        }
        Check(raw.sqlite3_bind_text(_statement, index, text));
        bound = new Bound(Kind.Guid, 0, null, id);
    }

    /// <summary>Steps a query: true while it has a row to read. Call <see cref="Reset"/> when done with it.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        Check(rc);
        return false;
    }

    /// <summary>Readies the statement to run again (bindings are kept until bound again).</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    /// <summary>Columns are numbered from 0.</summary>
    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public long? GetInt64OrNull(int column) => IsNull(column) ? null : GetInt64(column);

    public string? GetString(int column) => IsNull(column) ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>A GUID stored as text (EF's SQLite mapping).</summary>
    public Guid GetGuid(int column) => Guid.Parse(raw.sqlite3_column_blob(_statement, column));

    /// <summary>Runs the statement (which returns no rows) and resets it; answers the rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        try
        {
            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
                throw new SqliteException($"SQLite statement returned rows or stopped early (code {rc}).", rc);
            }
            return raw.sqlite3_changes(_connection.Handle);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            var db = _connection.Handle;
            throw new SqliteException(
                $"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(db));
        }
    }

    public void Dispose() => _statement.Dispose();
}
