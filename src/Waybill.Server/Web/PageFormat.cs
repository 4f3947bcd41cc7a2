using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Waybill.Common;

namespace Waybill.Server.Web;

/// <summary>How every page writes amounts, UTC times and the address of another page of a list, in the viewer's culture.</summary>
public static class PageFormat
{
    /// <summary>An amount with its currency's decimals and code: <c>1.234,50 EUR</c> in German.</summary>
    public static string Money(PageLocale text, decimal amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decimals = Currency.TryCreate(currency, out var c, out _) ? c.MinorUnits : 2;
        return amount.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), text.Culture) + " " + currency;
    }

    public static string Money(PageLocale text, MoneyView money)
    {
        ArgumentNullException.ThrowIfNull(money);
        return Money(text, money.Amount, money.Currency);
    }

    /// <summary>A moment in UTC (for instants no place tells, such as a forecast or a sending), in the viewer's format.</summary>
    public static string Utc(PageLocale text, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(text);
        return at.UtcDateTime.ToString("g", text.Culture) + " UTC";
    }

    /// <summary>
    /// The current address with <paramref name="page"/> as its <paramref name="parameter"/> (dropped for the first page),
    /// the list's other (non-empty) parameters kept.
    /// </summary>
    public static string PageUrl(HttpRequest request, int page, string parameter = "page")
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query
            .Where(p => p.Key != parameter && !string.IsNullOrEmpty(p.Value.ToString()))
            .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString()))
            .ToList();
        if (page > 1)
        {
            query.Add(new(parameter, page.ToString(CultureInfo.InvariantCulture)));
        }
        return QueryHelpers.AddQueryString(request.Path.Value ?? "/", query);
    }
}
