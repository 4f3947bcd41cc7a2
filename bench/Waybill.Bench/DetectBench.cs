using System.Diagnostics;
using System.Globalization;
using Waybill.Tracking.Detection;

namespace Waybill.Bench;

/// <summary>
/// Carrier detection on one thread: the corpus numbers (../shared/reference/tracking-numbers/corpus.tsv) repeated to a
/// million lines, through the registry's fast path, beside a plain loop that runs every format's regex on every number.
/// </summary>
internal static class DetectBench
{
    private const int Lines = 1_000_000;

    public static void Run(string[] args)
    {
        var corpus = CorpusPath();
        if (corpus is null)
        {
            Console.Error.WriteLine("detect: ../shared/reference/tracking-numbers/corpus.tsv is missing beside the repository; the benchmark needs it.");
            Environment.ExitCode = 1;
            return;
        }
        var lines = int.TryParse(args.SkipWhile(a => a != "--lines").Skip(1).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : Lines;
        var numbers = File.ReadLines(corpus).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')[5]).ToArray();
        var input = Enumerable.Range(0, lines).Select(i => numbers[i % numbers.Length]).ToArray();
        Console.Error.WriteLine($"detect: {numbers.Length} corpus numbers repeated to {input.Length:N0} lines, one thread");

        var registry = CarrierRegistry.Default;
        registry.Prepare();
        var formats = registry.Formats.Select(f => f.Regex).ToArray();

        var detect = Median(() => Detect(registry, input));
        var baseline = Median(() => EveryRegex(formats, input));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detect: {input.Length / detect.Seconds:F0} numbers/s ({detect.Reported} reported) | baseline every-regex loop: {input.Length / baseline.Seconds:F0} numbers/s ({baseline.Reported} regex matches) | target >= 2000000 numbers/s: {(input.Length / detect.Seconds >= 2_000_000 ? "met" : "MISSED")}"));
    }

    private static (double Seconds, long Reported) Detect(CarrierRegistry registry, string[] input)
    {
        var watch = Stopwatch.StartNew();
        long reported = 0;
        foreach (var line in input)
        {
            reported += registry.Detect(line).Count;
        }
        return (watch.Elapsed.TotalSeconds, reported);
    }

    /// <summary>The plain way: strip whitespace, then try every format's regex.</summary>
    private static (double Seconds, long Reported) EveryRegex(System.Text.RegularExpressions.Regex[] formats, string[] input)
    {
        var watch = Stopwatch.StartNew();
        long matches = 0;
        foreach (var line in input)
        {
            var number = CarrierRegistry.RemoveWhitespace(line);
            foreach (var format in formats)
            {
                if (format.IsMatch(number))
                {
                    matches++;
                }
            }
        }
        return (watch.Elapsed.TotalSeconds, matches);
    }

    /// <summary>
    /// Warms up until two runs in a row agree within 5% (at least 2 s, at most 20 s: on a single CPU the runtime
    /// delays tiered JIT tenfold, so steady state takes a few runs), then takes the median of three runs.
    /// </summary>
    private static (double Seconds, long Reported) Median(Func<(double Seconds, long Reported)> run)
    {
        var warming = Stopwatch.StartNew();
        var previous = run().Seconds;
        var warmUps = 1;
        while (warming.Elapsed.TotalSeconds < 20)
        {
            var current = run().Seconds;
            warmUps++;
            if (warming.Elapsed.TotalSeconds >= 2 && Math.Abs(current - previous) <= 0.05 * previous)
            {
                break;
            }
            previous = current;
        }
        var runs = new[] { run(), run(), run() };
        Array.Sort(runs, (a, b) => a.Seconds.CompareTo(b.Seconds));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {warmUps} warm-up runs, then {runs[0].Seconds:F3} / {runs[1].Seconds:F3} / {runs[2].Seconds:F3} s"));
        return runs[1];
    }

    private static string? CorpusPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Waybill.slnx")))
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "reference", "tracking-numbers", "corpus.tsv"));
                return File.Exists(path) ? path : null;
            }
        }
        return null;
    }
}
