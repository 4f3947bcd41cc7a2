using System.Collections.Concurrent;
using Waybill.Common;

namespace Waybill.Customs;

/// <summary>
/// Numbers for what a <see cref="LandedCharge"/> refers to: the rule or rate it comes from (its source) and the template
/// of its basis sentence (its subject). A charge keeps these numbers rather than references, so that it holds no object
/// reference at all: the calculator then builds a quote's charges in uninitialised stack memory and copies them into
/// the quote's array as plain memory, without the collector's write barriers (on the quote benchmark, 8 to 14% of
/// the calculator's time; see docs/customs.md#speed).
/// </summary>
/// <remarks>
/// The sources are the long-lived rules and rates of the loaded data (<see cref="CustomsRule"/>, <see cref="DutyRate"/>,
/// <see cref="VatRate"/>, <see cref="GoodsVatRate"/>) and the calculator's fixed sentences: a source is numbered the first
/// time a charge names it, and kept for the life of the process (a bounded set: one per rule or rate ever quoted).
/// </remarks>
internal static class ChargeSources
{
    /// <summary>The rules and rates, by reference.</summary>
    public static Registry<object> Sources { get; } = new(ReferenceEqualityComparer.Instance, int.MaxValue);

    /// <summary>The basis templates (<c>{line}</c>, <c>no duty at or below {threshold}</c>, ...), by text: at most 255.</summary>
    public static Registry<string> Subjects { get; } = new(StringComparer.Ordinal, byte.MaxValue);

    /// <summary>An append-only numbering of objects from 1 (0 is none); safe for concurrent use, lock-free to read.</summary>
    internal sealed class Registry<T>(IEqualityComparer<T> comparer, int limit)
        where T : class
    {
        private readonly ConcurrentDictionary<T, int> _ids = new(comparer);
        private readonly Lock _gate = new();
        private T?[] _items = new T?[64];
        private int _count = 1;

        /// <summary>The number of <paramref name="item"/>, given on first use; 0 for null.</summary>
        public int IdOf(T? item)
        {
            if (item is null)
            {
                return 0;
            }
            if (_ids.TryGetValue(item, out var id))
            {
                return id;
            }
            lock (_gate)
            {
                if (_ids.TryGetValue(item, out id))
                {
                    return id;
                }
                if (_count >= limit)
                {
                    throw new InvalidOperationException($"More than {limit} {typeof(T).Name} values to number: the registry of charge {(typeof(T) == typeof(string) ? "subjects" : "sources")} is full.");
                }
                var items = _items;
                if (_count == items.Length)
                {
                    Array.Resize(ref items, items.Length * 2);
                }
                items[_count] = item;
                // The item is in place before the array is published and before its number is handed out.
                Volatile.Write(ref _items, items);
                id = _count++;
                _ids[item] = id;
                return id;
            }
        }

        /// <summary>The object numbered <paramref name="id"/> (null for 0).</summary>
        public T? Of(int id) => Volatile.Read(ref _items)[id];
    }
}

/// <summary>A charge's source as the calculator passes it: its number in <see cref="ChargeSources.Sources"/> and whether it is verified.</summary>
/// <remarks>
/// A negative number is a destination without VAT data on a date (<see cref="MissingRate"/>, made per quote and
/// never kept): the country and the day are packed into the number itself.
/// </remarks>
internal readonly record struct ChargeSource(int Id, bool Verified)
{
    private const int Places = 26 * 26;

    public static ChargeSource Of(CustomsRule rule) => new(rule.Encoded.SourceId(rule), rule.Verified);

    public static ChargeSource Of(DutyRate rate, bool verified) => new(rate.Encoded.SourceId(rate), verified);

    public static ChargeSource Of(VatRate rate) => new(rate.Encoded.SourceId(rate), rate.Verified);

    public static ChargeSource Of(GoodsVatRate rate) => new(rate.Encoded.SourceId(rate), rate.Verified);

    /// <summary>A verified source that is no rule (the goods, shipping and insurance themselves).</summary>
    public static ChargeSource Of(FixedSentence sentence) => new(ChargeSources.Sources.IdOf(sentence), Verified: true);

    /// <summary>No VAT or GST rate for the country on the date: never verified.</summary>
    public static ChargeSource Missing(CountryCode country, DateOnly date)
    {
        var packed = ((long)date.DayNumber * Places) + IndexOf(country);
        // Every date before the year 8690 fits; a later one (never quoted in practice) is numbered as an object.
        return packed < int.MaxValue ? new(-(int)packed - 1, Verified: false) : new(ChargeSources.Sources.IdOf(new MissingRate(country, date)), Verified: false);
    }

    /// <summary>The rule, rate or sentence numbered <paramref name="id"/>.</summary>
    public static object? Resolve(int id)
    {
        if (id >= 0)
        {
            return ChargeSources.Sources.Of(id);
        }
        var packed = -(id + 1);
        var place = packed % Places;
        return new MissingRate(CountryCode.Parse(string.Concat((char)('A' + (place / 26)), (char)('A' + (place % 26)))), DateOnly.FromDayNumber(packed / Places));
    }

    private static int IndexOf(CountryCode country) => ((country.Value[0] - 'A') * 26) + (country.Value[1] - 'A');
}
