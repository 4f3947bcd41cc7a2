using System.Globalization;
using Waybill.Common;
using Waybill.Server.Web;

namespace Waybill.Server.Pages.Dashboard.Orders;

/// <summary>How the orders, webhooks and settings pages print amounts and times in the viewer's culture.</summary>
public static class Show
{
    /// <summary>An amount with its currency's decimals and code: <c>1.234,50 EUR</c> in German.</summary>
    public static string Money(PageLocale text, decimal amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decimals = Currency.TryCreate(currency, out var c, out _) ? c.MinorUnits : 2;
        return amount.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), text.Culture) + " " + currency;
    }

    /// <summary>A moment in UTC (the dashboard's times are the server's, in UTC), in the viewer's date and time format.</summary>
    public static string Time(PageLocale text, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(text);
        return at.UtcDateTime.ToString("g", text.Culture) + " UTC";
    }

    /// <summary>The ISO 8601 form for a <c>time</c> element's <c>datetime</c>.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A date the core gives as <c>yyyy-MM-dd</c>, in the viewer's short date format (as given when it is not one).</summary>
    public static string Date(PageLocale text, string isoDate)
    {
        ArgumentNullException.ThrowIfNull(text);
        return DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("d", text.Culture)
            : isoDate;
    }

    public static string Number(PageLocale text, decimal value)
    {
        ArgumentNullException.ThrowIfNull(text);
        return value.ToString("0.###", text.Culture);
    }

    public static string Days(PageLocale text, double value)
    {
        ArgumentNullException.ThrowIfNull(text);
        return value.ToString("0.#", text.Culture);
    }
}
