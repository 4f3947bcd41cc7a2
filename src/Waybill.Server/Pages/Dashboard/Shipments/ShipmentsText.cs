using System.Globalization;
using Waybill.Common;
using Waybill.Server.Web;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Dashboard.Shipments;

/// <summary>How the shipment pages write times, windows, amounts and the names of codes, in the viewer's language.</summary>
public static class ShipmentsText
{
    /// <summary>A time as it was where it happened, with its UTC offset (<c>05/12/2026 14:03 UTC+01:00</c>).</summary>
    public static string Local(PageLocale t, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(t);
        return $"{at.ToString("g", t.Culture)} {Offset(at.Offset)}";
    }

    public static string Offset(TimeSpan offset) =>
        offset == TimeSpan.Zero ? "UTC" : $"UTC{(offset < TimeSpan.Zero ? "−" : "+")}{offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture)}";

    /// <summary>A window of days (one day when both ends fall on it), in UTC.</summary>
    public static string Window(PageLocale t, DateTimeOffset earliest, DateTimeOffset latest)
    {
        ArgumentNullException.ThrowIfNull(t);
        var a = earliest.ToUniversalTime().ToString("d", t.Culture);
        var b = latest.ToUniversalTime().ToString("d", t.Culture);
        return a == b ? a : $"{a} – {b}";
    }

    public static string Window(PageLocale t, DeliveryWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return Window(t, window.Earliest, window.Latest);
    }

    /// <summary>How long ago, roughly: in days from two days on, else in hours.</summary>
    public static string Age(PageLocale t, TimeSpan age)
    {
        ArgumentNullException.ThrowIfNull(t);
        return age.TotalDays >= 2 ? t.Format("shipments.age_days", (int)age.TotalDays)
            : age.TotalHours >= 2 ? t.Format("shipments.age_hours", (int)age.TotalHours)
            : age.TotalHours >= 1 ? t["shipments.age_hour"]
            : t["shipments.age_under_hour"];
    }

    /// <summary>The text of <c>{prefix}.{value}</c> when there is one, else the value itself (a carrier's own word, a webhook event type).</summary>
    public static string Named(PageLocale t, string prefix, string? value)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var key = $"{prefix}.{value}";
        return t.Has(key) ? t[key] : value;
    }

    /// <summary>A lane as <c>CN → DE</c>; a missing end is a dash.</summary>
    public static string Lane(LaneView? lane) =>
        lane is null ? "" : $"{lane.Origin ?? "–"} → {lane.Destination ?? "–"}";

    /// <summary>The badge class of a status: delivered is good news, exceptions and failures bad, waiting a warning.</summary>
    public static string StatusClass(string status) => status switch
    {
        "delivered" => "badge ok",
        "exception" or "expired" => "badge bad",
        "failed_attempt" or "available_for_pickup" => "badge warn",
        _ => "badge",
    };

    /// <summary>The messages of a refused query, one per field, in the viewer's language (<c>shipments.invalid_{field}</c>).</summary>
    public static IReadOnlyList<string> Problems(PageLocale t, Error error)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(error);
        if (error.Errors is not { Count: > 0 } fields)
        {
            return [error.Message];
        }
        return fields.Keys.Order(StringComparer.Ordinal)
            .Select(f => t.Has($"shipments.invalid_{f.ToLowerInvariant()}") ? t[$"shipments.invalid_{f.ToLowerInvariant()}"] : $"{f}: {string.Join(" ", fields[f])}")
            .ToList();
    }

}
