using System.Collections.Frozen;
using System.Globalization;
using Waybill.Common;

namespace Waybill.ForeignExchange;

/// <summary>
/// The euro foreign exchange reference rates of the European Central Bank, by publication date, and conversion
/// through them. Read from <c>data/exchange-rates/ecb-eurofxref.csv</c> (see its SOURCE.md and
/// docs/exchange-rates.md): the ECB's own <c>eurofxref-hist.csv</c> layout, so an operator can replace it with the
/// ECB's file as downloaded.
/// </summary>
/// <remarks>
/// A conversion uses the latest publication on or before the date asked for (the ECB publishes nothing on weekends
/// and TARGET holidays). It never guesses: a date before the first publication, or a currency the ECB did not quote
/// that day, is refused with a reason. Amounts keep full decimal precision; callers round to the minor unit with their
/// own rule. Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class ExchangeRates
{
    /// <summary>The shipped file's name under <c>data/exchange-rates/</c>.</summary>
    public const string FileName = "ecb-eurofxref.csv";

    private const string Euro = "EUR";

    /// <summary>The shipped pegs' file under <c>data/exchange-rates/</c>.</summary>
    public const string PegsFileName = "pegs.json";

    private static readonly Lazy<ExchangeRates> Shipped =
        new(() => Load(ReferenceData.PathOf("exchange-rates", FileName)).WithPegs(ReferenceData.PathOf("exchange-rates", PegsFileName)),
            LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<string, int> _columns;
    private readonly DateOnly[] _dates;
    private readonly decimal?[][] _rates;
    private readonly FrozenDictionary<string, Peg> _pegs;

    private ExchangeRates(FrozenDictionary<string, int> columns, DateOnly[] dates, decimal?[][] rates, FrozenDictionary<string, Peg>? pegs = null)
    {
        _columns = columns;
        _dates = dates;
        _rates = rates;
        _pegs = pegs ?? FrozenDictionary<string, Peg>.Empty;
    }

    /// <summary>A currency the ECB does not quote, fixed to one it does: <see cref="Rate"/> units per unit of <see cref="Anchor"/>.</summary>
    public sealed record Peg(Currency Anchor, decimal Rate, DateOnly Since, string Source);

    /// <summary>The IMF SDR in US dollars (<c>pegs.json</c>'s <c>sdr</c>), for the CN22's 300 SDR; null when the file has none.</summary>
    public decimal? UsdPerSdr { get; private init; }

    /// <summary>
    /// These rates plus the pegs of a <c>pegs.json</c> file: a pegged currency converts through its anchor's rate of the day.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the peg.</exception>
    public ExchangeRates WithPegs(string path)
    {
        var pegs = new Dictionary<string, Peg>(StringComparer.Ordinal);
        decimal? sdr = null;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path));
            foreach (var peg in document.RootElement.GetProperty("pegs").EnumerateObject())
            {
                var anchorCode = peg.Value.GetProperty("per").GetString();
                var rate = peg.Value.GetProperty("rate").GetDecimal();
                if (!Currency.TryCreate(peg.Name, out _, out _) || !Currency.TryCreate(anchorCode, out var anchor, out _) || anchor.Code is null || !_columns.ContainsKey(anchor.Code)
                    || rate <= 0
                    || !DateOnly.TryParseExact(peg.Value.GetProperty("since").GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var since))
                {
                    throw new InvalidDataException($"{path}: peg {peg.Name}: a currency, 'per' a currency the ECB quotes, a rate above 0 and a 'since' date (yyyy-MM-dd) are required.");
                }
                pegs[peg.Name] = new Peg(anchor, rate, since, peg.Value.GetProperty("source").GetString() ?? "");
            }
            if (document.RootElement.TryGetProperty("sdr", out var sdrElement))
            {
                sdr = sdrElement.GetProperty("usd").GetDecimal();
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
        return new ExchangeRates(_columns, _dates, _rates, pegs.ToFrozenDictionary(StringComparer.Ordinal)) { UsdPerSdr = sdr };
    }

    /// <summary>The rates shipped in <c>data/exchange-rates/</c>, read once, on first use.</summary>
    public static ExchangeRates Default => Shipped.Value;

    /// <summary>The first publication date in the file: earlier dates have no rates.</summary>
    public DateOnly FirstDate => _dates[0];

    /// <summary>The last publication date in the file: later dates use its rates.</summary>
    public DateOnly LastDate => _dates[^1];

    /// <summary>Reads a rates file (an operator's, or a test's) in the ECB <c>eurofxref-hist.csv</c> layout.</summary>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file and the line.</exception>
    public static ExchangeRates Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads rates in the ECB <c>eurofxref-hist.csv</c> layout; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the source and the line.</exception>
    public static ExchangeRates Read(Stream stream, string source)
    {
        using var reader = new StreamReader(stream);
        string[]? codes = null;
        var rows = new SortedDictionary<DateOnly, (int Line, decimal?[] Rates)>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = Cells(line);
            if (codes is null)
            {
                codes = Header(cells, source, number);
                continue;
            }
            if (cells.Length != codes.Length + 1)
            {
                throw Bad(source, number, $"{cells.Length} cells where the header has {codes.Length + 1}.");
            }
            if (!DateOnly.TryParseExact(cells[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw Bad(source, number, $"'{cells[0]}' is not a date (yyyy-MM-dd).");
            }
            var rates = new decimal?[codes.Length];
            for (var i = 0; i < codes.Length; i++)
            {
                rates[i] = Rate(cells[i + 1], codes[i], source, number);
            }
            if (!rows.TryAdd(date, (number, rates)))
            {
                throw Bad(source, number, $"{Iso(date)} is already on line {rows[date].Line}.");
            }
        }
        if (codes is null || rows.Count == 0)
        {
            throw new InvalidDataException($"{source}: no rates (a header line and at least one dated line are required).");
        }
        var columns = codes.Select((code, i) => (code, i)).ToFrozenDictionary(c => c.code, c => c.i, StringComparer.Ordinal);
        return new ExchangeRates(columns, [.. rows.Keys], [.. rows.Values.Select(r => r.Rates)]);
    }

    /// <summary>
    /// The ECB rate of <paramref name="currency"/> (units per euro) that applies on <paramref name="date"/>: the one
    /// of the latest publication on or before it, with that publication's date. EUR is 1 on every publication; a pegged
    /// currency is its anchor's rate times the peg. When there is none, <paramref name="reason"/> says why.
    /// </summary>
    public bool TryGetRate(Currency currency, DateOnly date, out decimal unitsPerEuro, out DateOnly published, out string? reason)
    {
        if (TryGetRate(currency, date, out unitsPerEuro, out published))
        {
            reason = null;
            return true;
        }
        reason = WhyNoRate(currency, date);
        return false;
    }

    /// <summary>
    /// As <see cref="TryGetRate(Currency, DateOnly, out decimal, out DateOnly, out string?)"/> without the reason, for hot
    /// paths (a landed-cost quote): nothing is formatted.
    /// </summary>
    public bool TryGetRate(Currency currency, DateOnly date, out decimal unitsPerEuro, out DateOnly published)
    {
        unitsPerEuro = 0;
        published = default;
        var row = Row(date);
        if (row < 0 || currency.Code is not { } code)
        {
            return false;
        }
        published = _dates[row];
        if (code == Euro)
        {
            unitsPerEuro = 1m;
            return true;
        }
        if (_columns.TryGetValue(code, out var column))
        {
            if (_rates[row][column] is not { } rate)
            {
                return false;
            }
            unitsPerEuro = rate;
            return true;
        }
        if (_pegs.TryGetValue(code, out var peg) && date >= peg.Since && TryGetRate(peg.Anchor, date, out var anchorPerEuro, out published))
        {
            unitsPerEuro = anchorPerEuro * peg.Rate;
            return true;
        }
        return false;
    }

    /// <summary>The row of the latest publication on or before the date; -1 before the first.</summary>
    private int Row(DateOnly date)
    {
        var row = Array.BinarySearch(_dates, date);
        return row < 0 ? ~row - 1 : row;
    }

    /// <summary>Why no rate of <paramref name="currency"/> applies on <paramref name="date"/> (called only when none does).</summary>
    private string WhyNoRate(Currency currency, DateOnly date)
    {
        var row = Row(date);
        if (row < 0)
        {
            return $"No ECB reference rates before {Iso(FirstDate)}; none apply on {Iso(date)}.";
        }
        if (currency.Code is { } code && !_columns.ContainsKey(code) && _pegs.TryGetValue(code, out var peg))
        {
            return date < peg.Since
                ? $"{currency} is pegged to {peg.Anchor} only from {Iso(peg.Since)}; no rate applies on {Iso(date)}."
                : WhyNoRate(peg.Anchor, date);
        }
        if (currency.Code is null || !_columns.ContainsKey(currency.Code))
        {
            return $"The ECB publishes no reference rate for {currency}.";
        }
        return $"The ECB published no {currency} rate on {Iso(_dates[row])}, the latest publication on or before {Iso(date)}.";
    }

    /// <summary>The publication date whose <paramref name="currency"/> rate applies on <paramref name="date"/>; null when none does.</summary>
    public DateOnly? RateDate(Currency currency, DateOnly date) =>
        TryGetRate(currency, date, out _, out var published, out _) ? published : null;

    /// <summary>
    /// Converts through the euro (amount / rate[from] × rate[to]) at the rates that apply on <paramref name="date"/>.
    /// An amount already in <paramref name="to"/> comes back unchanged. The result is not rounded.
    /// </summary>
    public bool TryConvert(Money amount, Currency to, DateOnly date, out Money result, out string? reason)
    {
        result = default;
        if (amount.Currency == to)
        {
            result = amount;
            reason = null;
            return true;
        }
        if (!TryGetRate(amount.Currency, date, out var from, out _, out reason)
            || !TryGetRate(to, date, out var into, out _, out reason))
        {
            return false;
        }
        try
        {
            // Multiplying first is exact for any realistic amount, so the only rounding is the division's (28 digits).
            result = new Money(amount.Amount * into / from, to);
            return true;
        }
        catch (OverflowException)
        {
            reason = $"{amount} is too large to convert to {to}.";
            return false;
        }
    }

    /// <summary>Converts as <see cref="TryConvert"/> does, for callers that know the rates exist.</summary>
    /// <exception cref="InvalidOperationException">No rate applies; the message says why.</exception>
    public Money Convert(Money amount, Currency to, DateOnly date) =>
        TryConvert(amount, to, date, out var result, out var reason) ? result : throw new InvalidOperationException(reason);

    private static string[] Cells(string line)
    {
        var cells = line.Split(',', StringSplitOptions.TrimEntries);
        // The ECB ends every line with a comma: one empty last cell that carries nothing.
        return cells.Length > 1 && cells[^1].Length == 0 ? cells[..^1] : cells;
    }

    private static string[] Header(string[] cells, string source, int number)
    {
        if (cells[0] != "Date")
        {
            throw Bad(source, number, "the header must start with 'Date' (the ECB eurofxref-hist.csv layout).");
        }
        var codes = cells[1..];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in codes)
        {
            if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
            {
                throw Bad(source, number, $"'{code}' is not a currency code.");
            }
            if (code == Euro)
            {
                throw Bad(source, number, "EUR is the base of every rate, not a column.");
            }
            if (!seen.Add(code))
            {
                throw Bad(source, number, $"{code} appears twice.");
            }
        }
        if (codes.Length == 0)
        {
            throw Bad(source, number, "the header names no currency.");
        }
        return codes;
    }

    private static decimal? Rate(string cell, string code, string source, int number)
    {
        // The ECB writes N/A where it published no rate (a currency not yet or no longer quoted).
        if (cell == "N/A")
        {
            return null;
        }
        if (!decimal.TryParse(cell, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) || rate <= 0)
        {
            throw Bad(source, number, $"'{cell}' is not a rate for {code} (a positive number, or N/A).");
        }
        return rate;
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static InvalidDataException Bad(string source, int line, string problem) =>
        new($"{source}, line {line}: {problem}");
}
