using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Server.Web;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Dashboard;

/// <summary>
/// Lane performance: transit days (median, 90th percentile), on-time rate and exceptions per carrier, over the last 4,
/// 12 or 26 weeks, for every lane or one. The figures come from <see cref="GetLanePerformance"/>; the page gives them to
/// its script (<c>wwwroot/js/lanes.js</c>, drawing with the vendored Chart.js) as JSON, and as tables for every chart.
/// </summary>
public sealed class LanesModel(GetLanePerformance.Handler handler, PageLocale text) : PageModel
{
    /// <summary>The most lanes drawn in one chart (the busiest); the tables list them all.</summary>
    public const int MaxCharted = 6;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [BindProperty(SupportsGet = true, Name = "weeks")]
    public string? Weeks { get; set; }

    [BindProperty(SupportsGet = true, Name = "lane")]
    public string? Lane { get; set; }

    public GetLanePerformance.Response? Data { get; private set; }

    /// <summary>What was wrong with the request, each a sentence for the seller, by field.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();

    /// <summary>The lanes drawn: the busiest <see cref="MaxCharted"/>.</summary>
    public IReadOnlyList<GetLanePerformance.LaneSeries> Charted { get; private set; } = [];

    /// <summary>The exception bars drawn: the carriers of the charted lanes.</summary>
    public IReadOnlyList<GetLanePerformance.CarrierExceptions> ChartedExceptions { get; private set; } = [];

    /// <summary>The charts' data for the page's script, serialised by System.Text.Json (which escapes &lt;, &gt; and &amp;).</summary>
    public string ChartJson { get; private set; } = "{}";

    public int SelectedWeeks => Data?.Weeks ?? GetLanePerformance.DefaultWeeks;

    public async Task<IActionResult> OnGetAsync()
    {
        var result = await handler.HandleAsync(new GetLanePerformance.Request(Weeks, Lane), HttpContext.RequestAborted);
        if (!result.IsSuccess)
        {
            var fields = result.Error!.Errors?.Keys ?? [];
            Errors = fields.ToDictionary(f => f, f => text[f == "weeks" ? "lanes.weeks_invalid" : "lanes.lane_invalid"], StringComparer.Ordinal);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Data = result.Value;
        Charted = [.. Data.Lanes.Where(l => l.Total.Delivered > 0).Take(MaxCharted)];
        var charted = Data.Lanes.Take(MaxCharted).Select(l => l.Lane).ToHashSet(StringComparer.Ordinal);
        ChartedExceptions = [.. Data.Exceptions.Where(e => charted.Contains(e.Lane))];
        ChartJson = JsonSerializer.Serialize(ChartData(), Json);
        return Page();
    }

    /// <summary>A lane as people read it: <c>CN → DE</c>.</summary>
    public static string LaneName(string lane) => lane.Replace("-", " → ", StringComparison.Ordinal);

    /// <summary>The week's name in the tables: its ISO number and its Monday, in the viewer's culture.</summary>
    public string WeekName(GetLanePerformance.IsoWeek week) =>
        text.Format("lanes.week_label", week.Number, week.Monday.ToString(
            text.Culture.DateTimeFormat.MonthDayPattern.Replace("MMMM", "MMM", StringComparison.Ordinal), text.Culture)); // "Nov 23", "23. Nov."

    public string Days(double? days) => days is { } d ? d.ToString("0.0", text.Culture) : text["lanes.no_value"];

    public string Share(double? share) => share is { } s ? s.ToString("P0", text.Culture) : text["lanes.no_value"];

    /// <summary>The transit chart in words, for its <c>aria-label</c>.</summary>
    public string TransitSummary() => text.Format("lanes.transit_label", SelectedWeeks, string.Join("; ", Charted.Select(l =>
        text.Format("lanes.transit_lane_summary", LaneName(l.Lane), Days(l.Total.P50Days), Days(l.Total.P90Days)))));

    /// <summary>The on-time chart in words, for its <c>aria-label</c> (not named On...: Razor Pages would take it for a handler).</summary>
    public string PunctualitySummary() => text.Format("lanes.ontime_label", SelectedWeeks, string.Join("; ", Charted.Select(l =>
        l.Total.OnTimeRate is { } rate
            ? text.Format("lanes.ontime_lane_summary", LaneName(l.Lane), Share(rate))
            : text.Format("lanes.no_promise_lane", LaneName(l.Lane)))));

    /// <summary>The exceptions chart in words, for its <c>aria-label</c>.</summary>
    public string ExceptionsSummary() => text.Format("lanes.exceptions_label", string.Join("; ", ChartedExceptions.Select(e =>
        text.Format("lanes.exceptions_summary", e.Carrier, LaneName(e.Lane), Share(e.Rate), e.Shipments))));

    private object ChartData() => new
    {
        locale = text.Locale,
        weeks = Data!.WeekList.Select(w => new { monday = w.Monday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), number = w.Number, name = WeekName(w) }),
        lanes = Charted.Select(l => new
        {
            lane = l.Lane,
            name = LaneName(l.Lane),
            delivered = l.Weeks.Select(w => w.Delivered),
            p50 = l.Weeks.Select(w => w.P50Days),
            p90 = l.Weeks.Select(w => w.P90Days),
            onTime = l.Weeks.Select(w => w.OnTimeRate),
            promised = l.Weeks.Select(w => w.Promised),
        }),
        exceptions = ChartedExceptions.Select(e => new
        {
            carrier = e.Carrier,
            lane = e.Lane,
            name = text.Format("lanes.carrier_on_lane", e.Carrier, LaneName(e.Lane)),
            rate = e.Rate,
            shipments = e.Shipments,
            withException = e.WithException,
        }),
        text = new
        {
            median = text["lanes.dataset_median"],
            p90 = text["lanes.dataset_p90"],
            days = text["lanes.axis_days"],
            share = text["lanes.axis_share"],
            delivered = text["lanes.tooltip_delivered"],
            shipments = text["lanes.tooltip_shipments"],
            exceptionRate = text["lanes.col_exception_rate"],
        },
    };
}
