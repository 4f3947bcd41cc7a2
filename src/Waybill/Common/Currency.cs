using System.Collections.Frozen;
using System.Text.Json;

namespace Waybill.Common;

/// <summary>An ISO 4217 currency in circulation, with its minor unit (2 for EUR, 0 for JPY, 3 for KWD).</summary>
public readonly record struct Currency
{
    private static readonly FrozenDictionary<string, CurrencyInfo> Known = Load();
    private static readonly FrozenDictionary<string, CurrencyInfo>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan = Known.GetAlternateLookup<ReadOnlySpan<char>>();

    private Currency(string code, int minorUnits)
    {
        Code = code;
        MinorUnits = minorUnits;
    }

    public string Code { get; }

    public int MinorUnits { get; }

    /// <summary>The code as a number below 26³ (AAA is 0), for tables by currency and for charges that keep no string; 0 for a default value.</summary>
    internal int Place =>
        Code is [var a and >= 'A' and <= 'Z', var b and >= 'A' and <= 'Z', var c and >= 'A' and <= 'Z'] ? ((a - 'A') * 676) + ((b - 'A') * 26) + (c - 'A') : 0;

    public static bool TryCreate(string? input, out Currency currency, out string? reason)
    {
        currency = default;
        var text = input?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(text))
        {
            reason = "A currency is required (ISO 4217, e.g. EUR).";
            return false;
        }
        if (!Known.TryGetValue(text, out var info) || info.MinorUnits is null)
        {
            reason = $"'{input}' is not an ISO 4217 currency code.";
            return false;
        }
        if (info.Withdrawn is not null)
        {
            reason = $"'{text}' was withdrawn on {info.Withdrawn}.";
            return false;
        }
        // The code string of the table, shared by every Currency of that code: equality compares references first.
        currency = new Currency(info.Code, info.MinorUnits.Value);
        reason = null;
        return true;
    }

    /// <summary>
    /// A currency in circulation written exactly as its <see cref="Code"/> (three upper-case ASCII letters), read from
    /// UTF-8 without allocating; false for anything else, which <see cref="TryCreate"/> judges (trimming, case, reasons).
    /// </summary>
    internal static bool TryCanonical(ReadOnlySpan<byte> utf8, out Currency currency)
    {
        currency = default;
        if (utf8.Length != 3)
        {
            return false;
        }
        Span<char> code = [(char)utf8[0], (char)utf8[1], (char)utf8[2]];
        if (!char.IsAsciiLetterUpper(code[0]) || !char.IsAsciiLetterUpper(code[1]) || !char.IsAsciiLetterUpper(code[2])
            || !KnownBySpan.TryGetValue(code, out var info) || info.MinorUnits is not { } minorUnits || info.Withdrawn is not null)
        {
            return false;
        }
        currency = new Currency(info.Code, minorUnits);
        return true;
    }

    public static Currency Parse(string input) =>
        TryCreate(input, out var currency, out var reason) ? currency : throw new FormatException(reason);

    public override string ToString() => Code ?? "";

    private sealed record CurrencyInfo(string Code, int? MinorUnits, string? Withdrawn);

    private static FrozenDictionary<string, CurrencyInfo> Load()
    {
        using var stream = File.OpenRead(ReferenceData.PathOf("iso", "iso4217.json"));
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("currencies").EnumerateArray().ToFrozenDictionary(
            c => c.GetProperty("code").GetString()!,
            c => new CurrencyInfo(
                c.GetProperty("code").GetString()!,
                c.GetProperty("minorUnits").ValueKind == JsonValueKind.Number ? c.GetProperty("minorUnits").GetInt32() : null,
                c.GetProperty("withdrawn").ValueKind == JsonValueKind.String ? c.GetProperty("withdrawn").GetString() : null),
            StringComparer.Ordinal);
    }
}

/// <summary>An amount in one currency. Money of different currencies never adds up unnoticed.</summary>
public readonly record struct Money(decimal Amount, Currency Currency)
{
    public static Money operator +(Money left, Money right)
    {
        if (left.Currency != right.Currency)
        {
            throw new InvalidOperationException($"Cannot add {left.Currency} to {right.Currency}.");
        }
        return new Money(left.Amount + right.Amount, left.Currency);
    }

    public Money Add(Money other) => this + other;

    public override string ToString() => $"{Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Currency}";
}

/// <summary>An amount as the API shows it: <c>{amount, currency}</c>, the amount without trailing zeros.</summary>
public sealed record MoneyView(decimal Amount, string Currency)
{
    public static MoneyView Of(Money money) => new(Decimals.Normalize(money.Amount), money.Currency.Code);
}
