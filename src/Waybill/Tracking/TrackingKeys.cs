using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Waybill.Common;

namespace Waybill.Tracking;

/// <summary>
/// The two 64-bit keys a stored event is found by. Both are the first 8 bytes of a SHA-256, so they spread evenly and
/// cannot be steered by a carrier's input. (LegKey, EventKey) is unique: a false duplicate needs two events of the
/// same leg whose 64-bit event keys collide (about 1 in 10^13 for a leg with a thousand events).
/// </summary>
internal static class TrackingKeys
{
    /// <summary>The tenant's (carrier, number): every event of one leg has it, waiting or attached.</summary>
    public static long LegKeyOf(Guid tenantId, string carrier, string number)
    {
        var text = new KeyText(stackalloc byte[Stack]);
        text.Add(tenantId);
        text.Add(carrier);
        text.Add(number);
        return text.Hash();
    }

    /// <summary>
    /// An event's identity: tenant, number, carrier, code (ignoring case), instant to the second, country, city
    /// (ignoring case) and postal code.
    /// </summary>
    public static long EventKeyOf(Guid tenantId, string number, string carrier, string code, DateTimeOffset at, CountryCode country, string? city, string? postal)
    {
        var text = new KeyText(stackalloc byte[Stack]);
        text.Add(tenantId);
        text.Add(number);
        text.Add(carrier);
        text.Add(code, upper: true);
        text.Add(at.ToUnixTimeSeconds());
        text.Add(country.Value);
        text.Add(city ?? "", upper: true);
        text.Add(postal ?? "");
        return text.Hash();
    }

    public static UInt128 Combine(long legKey, long eventKey) => new(unchecked((ulong)legKey), unchecked((ulong)eventKey));

    /// <summary>
    /// A value that sorts as the database's (leg key, event key) index does (signed 64-bit integers, leg key first).
    /// </summary>
    public static UInt128 IndexOrder(long legKey, long eventKey) =>
        new(unchecked((ulong)legKey ^ SignBit), unchecked((ulong)eventKey ^ SignBit));

    private const ulong SignBit = 1UL << 63;

    private const int Stack = 1024;

    /// <summary>
    /// The UTF-8 of the parts joined by U+001F, hashed: built in a stack buffer (an event's parts are short; a longer
    /// text moves to the heap), since ingest makes two keys for every event.
    /// </summary>
    private ref struct KeyText(Span<byte> buffer)
    {
        private Span<byte> _buffer = buffer;
        private int _length;

        public void Add(Guid value)
        {
            Separate(32);
            value.TryFormat(_buffer[_length..], out var written, "N");
            _length += written;
        }

        public void Add(long value)
        {
            Separate(20);
            value.TryFormat(_buffer[_length..], out var written, default, CultureInfo.InvariantCulture);
            _length += written;
        }

        public void Add(string value, bool upper = false)
        {
            Separate(Encoding.UTF8.GetMaxByteCount(value.Length));
            if (!upper)
            {
                _length += Encoding.UTF8.GetBytes(value, _buffer[_length..]);
                return;
            }
            Span<char> upperCased = value.Length <= 256 ? stackalloc char[value.Length] : new char[value.Length];
            value.AsSpan().ToUpperInvariant(upperCased);
            _length += Encoding.UTF8.GetBytes(upperCased, _buffer[_length..]);
        }

        public readonly long Hash()
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(_buffer[.._length], hash);
            return BinaryPrimitives.ReadInt64LittleEndian(hash);
        }

        /// <summary>Writes the separator (before every part but the first) and makes room for the part.</summary>
        private void Separate(int room)
        {
            if (_length + room + 1 > _buffer.Length)
            {
                var larger = new byte[Math.Max(_buffer.Length * 2, _length + room + 1)];
                _buffer[.._length].CopyTo(larger);
                _buffer = larger;
            }
            if (_length > 0)
            {
                _buffer[_length++] = 0x1f;
            }
        }
    }
}
