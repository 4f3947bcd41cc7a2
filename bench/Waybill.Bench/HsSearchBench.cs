using System.Diagnostics;
using System.Globalization;
using Waybill.Customs;

namespace Waybill.Bench;

/// <summary>
/// <c>hs-search</c>: the in-process HS classification search (<see cref="HsNomenclature.Search"/>) over a set of product
/// queries, beside a naive baseline that scans every subheading's description for each query word (case-insensitive
/// substring), as a first implementation would. Target: under 1 ms a query on average.
/// </summary>
internal static class HsSearchBench
{
    private static readonly string[] Queries =
    [
        "cotton t-shirt", "smartphone", "ceramic mug", "laptop", "running shoes", "leather wallet", "wool sweater",
        "power bank", "bluetooth headphones", "lithium battery", "stainless steel water bottle", "silk scarf",
        "wooden toy", "gold necklace", "green tea", "olive oil", "yoga mat", "phone case", "led lamp", "perfume",
    ];

    public static void Run(string[] args)
    {
        var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(2_000);
        var hs = HsNomenclature.Default;
        var all = hs.Subheadings;

        // Warm up both, then measure.
        foreach (var q in Queries)
        {
            _ = hs.Search(q);
            _ = Naive(all, q);
        }
        var watch = Stopwatch.StartNew();
        var hits = 0L;
        for (var r = 0; r < rounds; r++)
        {
            foreach (var q in Queries)
            {
                hits += hs.Search(q).Count;
            }
        }
        var waybill = watch.Elapsed.TotalMilliseconds / (rounds * Queries.Length);

        var naiveRounds = Math.Max(1, rounds / 20);
        watch.Restart();
        for (var r = 0; r < naiveRounds; r++)
        {
            foreach (var q in Queries)
            {
                hits += Naive(all, q);
            }
        }
        var baseline = watch.Elapsed.TotalMilliseconds / (naiveRounds * Queries.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hs-search: {Queries.Length} queries x {rounds} rounds over {all.Count} subheadings: {waybill * 1000:F0} us a query ({hits} hits) | baseline naive substring scan: {baseline * 1000:F0} us a query | target < 1 ms a query: {(waybill < 1 ? "met" : "MISSED")}"));
    }

    /// <summary>The subheadings whose description contains every word of the query (case-insensitive).</summary>
    private static int Naive(IReadOnlyList<HsEntry> subheadings, string query)
    {
        var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var count = 0;
        foreach (var s in subheadings)
        {
            if (words.All(w => s.Description.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                count++;
            }
        }
        return count;
    }
}
