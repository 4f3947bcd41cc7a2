using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Waybill.Common;

namespace Waybill.Persistence;

internal sealed class CountryCodeConverter() : ValueConverter<CountryCode, string>(v => v.Value, v => CountryCode.Parse(v));

internal sealed class CurrencyConverter() : ValueConverter<Currency, string>(v => v.Code, v => Currency.Parse(v));

internal sealed class HsCodeConverter() : ValueConverter<HsCode, string>(v => v.Digits, v => HsCodeFromStorage(v))
{
    private static HsCode HsCodeFromStorage(string digits) =>
        HsCode.TryCreate(digits, out var code, out var reason) ? code : throw new FormatException(reason);
}

internal sealed class EmailAddressConverter() : ValueConverter<EmailAddress, string>(v => v.Value, v => EmailFromStorage(v))
{
    private static EmailAddress EmailFromStorage(string text) =>
        EmailAddress.TryCreate(text, out var email, out var reason) ? email : throw new FormatException(reason);
}

internal sealed class LowerCaseEnumConverter<T>() : ValueConverter<T, string>(v => v.ToString().ToLowerInvariant(), v => Enum.Parse<T>(v, true))
    where T : struct, Enum;

internal sealed class SnakeCaseEnumConverter<T>() : ValueConverter<T, string>(v => WaybillDb.SnakeCase(v.ToString()), v => Enum.Parse<T>(v.Replace("_", "", StringComparison.Ordinal), true))
    where T : struct, Enum;

/// <summary>SQLite: an instant as INTEGER microseconds since the Unix epoch (UTC), so it sorts and compares in SQL.</summary>
internal sealed class UnixMicrosecondsConverter() : ValueConverter<DateTimeOffset, long>(v => ToMicroseconds(v), v => FromMicroseconds(v))
{
    public static long ToMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicroseconds(long value) => new(DateTimeOffset.UnixEpoch.UtcTicks + (value * 10), TimeSpan.Zero);
}

/// <summary>SQLite: an amount as INTEGER ten-thousandths, so it sorts and sums exactly in SQL (SQLite has no decimal).</summary>
internal sealed class ScaledDecimalConverter() : ValueConverter<decimal, long>(v => ToScaled(v), v => FromScaled(v))
{
    public const decimal Scale = 10_000m;

    public static long ToScaled(decimal value) => (long)decimal.Round(value * Scale, 0, MidpointRounding.AwayFromZero);

    public static decimal FromScaled(long value) => Decimals.Normalize(value / Scale);
}

/// <summary>PostgreSQL: timestamptz takes UTC only; the value keeps its instant.</summary>
internal sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);

/// <summary>PostgreSQL: numeric keeps the scale it was given; reading back drops trailing zeros.</summary>
internal sealed class NormalizedDecimalConverter() : ValueConverter<decimal, decimal>(v => v, v => Decimals.Normalize(v));
