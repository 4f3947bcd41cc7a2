using System.Globalization;
using Waybill.Common;
using Waybill.Server.Web;

namespace Waybill.Server.Pages.Dashboard.Orders;

/// <summary>How the orders, webhooks and settings pages print amounts and times in the viewer's culture.</summary>
public static class Show
{
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
