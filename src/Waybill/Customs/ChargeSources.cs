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
    /// <summary>The rules and rates, by reference: numbers below <see cref="ChargeSource.FirstMissing"/>.</summary>
    public static Registry<object> Sources { get; } = new(ReferenceEqualityComparer.Instance, (int)ChargeSource.FirstMissing);

    /// <summary>The basis templates (<c>{line}</c>, <c>no duty at or below {threshold}</c>, ...), by text: at most 255.</summary>
    public static Registry<string> Subjects { get; } = new(StringComparer.Ordinal, byte.MaxValue);

    /// <summary>
    /// An append-only numbering of objects from 1 (0 is none). Numbers are given once per rule or template, so under a
    /// lock; reading an object back by its number takes none.
    /// </summary>
    internal sealed class Registry<T>(IEqualityComparer<T> comparer, int limit)
        where T : class
    {
        private readonly Dictionary<T, int> _ids = new(comparer);
        private readonly Lock _gate = new();
        private T?[] _items = new T?[64];

        /// <summary>The number of <paramref name="item"/>, given on first use; 0 for null.</summary>
        public int IdOf(T? item)
        {
            if (item is null)
            {
                return 0;
            }
            lock (_gate)
            {
                if (_ids.TryGetValue(item, out var id))
                {
                    return id;
                }
                id = _ids.Count + 1;
                if (id >= limit)
                {
                    throw new InvalidOperationException($"More than {limit - 1} {typeof(T).Name} values to number: the registry of charge {(typeof(T) == typeof(string) ? "subjects" : "sources")} is full.");
                }
                var items = _items;
                if (id == items.Length)
                {
                    Array.Resize(ref items, items.Length * 2);
                }
                items[id] = item;
                // The item is in place before the array is published and before its number is handed out.
                Volatile.Write(ref _items, items);
                _ids.Add(item, id);
                return id;
            }
        }

        /// <summary>The object numbered <paramref name="id"/> (null for 0).</summary>
        public T? Of(int id) => Volatile.Read(ref _items)[id];
    }
}

/// <summary>A charge's source as the calculator passes it: its number and whether it is verified.</summary>
/// <remarks>
/// Numbers below <see cref="FirstMissing"/> are <see cref="ChargeSources.Sources"/>'. From it on, a number is a
/// destination without VAT data on a date (<see cref="MissingRate"/>, made per quote and never kept): the country and
/// the day packed into the number itself (every date fits: 3,652,059 days × 676 country codes, below 2³² − 2²⁴).
/// </remarks>
internal readonly record struct ChargeSource(uint Id, bool Verified)
{
    public const uint FirstMissing = 1 << 24;

    public static ChargeSource Of(CustomsRule rule) => new(rule.Number.Of(rule), rule.Verified);

    public static ChargeSource Of(DutyRate rate, bool verified) => new(rate.Number.Of(rate), verified);

    public static ChargeSource Of(VatRate rate) => new(rate.Number.Of(rate), rate.Verified);

    public static ChargeSource Of(GoodsVatRate rate) => new(rate.Number.Of(rate), rate.Verified);

    /// <summary>A verified source that is no rule (the goods, shipping and insurance themselves).</summary>
    public static ChargeSource Of(FixedSentence sentence) => new((uint)ChargeSources.Sources.IdOf(sentence), Verified: true);

    /// <summary>No VAT or GST rate for the country on the date: never verified.</summary>
    public static ChargeSource Missing(CountryCode country, DateOnly date) =>
        new(FirstMissing + (((uint)date.DayNumber * LandedCostCalculator.Places) + (uint)LandedCostCalculator.IndexOf(country)), Verified: false);

    /// <summary>The rule, rate or sentence numbered <paramref name="id"/>.</summary>
    public static object? Resolve(uint id)
    {
        if (id < FirstMissing)
        {
            return ChargeSources.Sources.Of((int)id);
        }
        var packed = id - FirstMissing;
        return new MissingRate(CountryCode.Parse(LandedCostCalculator.NameOf((int)(packed % LandedCostCalculator.Places))),
            DateOnly.FromDayNumber((int)(packed / LandedCostCalculator.Places)));
    }
}
