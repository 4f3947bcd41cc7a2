using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Tenancy;

namespace Waybill.Server.Pages.Dashboard;

/// <summary>
/// The tenant's settings (<see cref="GetSettings"/>), saved through <see cref="PatchSettings"/> as the API saves them: the
/// form becomes a JSON merge patch of what changed, checked by the same rules, each wrong field named beside its input
/// with the typed value kept. The form carries the version it was read at; a save over a newer change is refused.
/// </summary>
public sealed class SettingsModel(GetSettings.Handler get, PatchSettings.Handler patch) : PageModel
{
    public static IReadOnlyList<string> Schemes { get; } = [.. CustomsSchemes.All.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The time zones offered (the tz database's ids, as the setting takes them).</summary>
    public static IReadOnlyList<string> TimeZones { get; } = [.. NodaTime.DateTimeZoneProviders.Tzdb.Ids.Where(id => id.Contains('/', StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>What the form shows: the saved settings, or what was typed when a save failed.</summary>
    public SettingsForm Form { get; private set; } = SettingsForm.Empty;

    /// <summary>The settings as saved now (after a stale save: what the other change left).</summary>
    public SettingsView? Current { get; private set; }

    public Error? SaveError { get; private set; }

    public bool Stale => SaveError?.Code == "settings.stale";

    [BindProperty(SupportsGet = true, Name = "saved")]
    public bool Saved { get; set; }

    public bool NothingChanged { get; private set; }

    public IReadOnlyList<string> ErrorsOf(string field) =>
        SaveError?.Errors?.TryGetValue(field, out var reasons) == true ? reasons : [];

    public async Task OnGetAsync()
    {
        Current = await get.HandleAsync(HttpContext.RequestAborted);
        Form = SettingsForm.Of(Current);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var ct = HttpContext.RequestAborted;
        Saved = false;
        Form = SettingsForm.Read(Request.Form);
        Current = await get.HandleAsync(ct);
        var changes = Form.PatchFrom(Current);
        if (changes.Count == 0 && Form.Version == Current.Version)
        {
            NothingChanged = true;
            return Page();
        }
        using var document = JsonDocument.Parse(changes.ToJsonString());
        // A version that is not a number (a tampered form) can match no save: the form is refused as stale.
        var result = await patch.HandleAsync(document.RootElement, Form.Version ?? -1, ct);
        if (result.IsSuccess)
        {
            return Redirect("/dashboard/settings?saved=true");
        }
        SaveError = result.Error;
        if (Stale)
        {
            // Newer settings came in: show them beside the typed values; the next save (at the new version) is deliberate.
            Current = await get.HandleAsync(ct);
            Form = Form with { Version = Current.Version };
        }
        Response.StatusCode = result.Error!.Kind == ErrorKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        return Page();
    }
}

/// <summary>The settings form's values, as typed (strings), with the version the form was read at.</summary>
public sealed record SettingsForm(
    string QuietStart, string QuietEnd, string NoticeWindowHours, string AlertEmail, string TimeZone,
    IReadOnlyDictionary<string, (bool Registered, string Number)> Schemes, int? Version)
{
    public static readonly SettingsForm Empty = new("", "", "", "", "", new Dictionary<string, (bool, string)>(), 0);

    public static SettingsForm Of(SettingsView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var n = view.Notifications;
        return new SettingsForm(
            n.QuietHours.Start, n.QuietHours.End, n.NoticeWindowHours.ToString(CultureInfo.InvariantCulture), n.AlertEmail ?? "", n.TimeZone ?? "",
            view.Schemes.ToDictionary(s => s.Key, s => (s.Value.Registered, s.Value.Number ?? ""), StringComparer.Ordinal),
            view.Version);
    }

    public static SettingsForm Read(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string Text(string name) => form[name].ToString().Trim();
        return new SettingsForm(
            Text("quietStart"), Text("quietEnd"), Text("noticeWindowHours"), Text("alertEmail"), Text("timeZone"),
            SettingsModel.Schemes.ToDictionary(
                s => s,
                s => (form[$"scheme.{s}.registered"].Contains("true"), Text($"scheme.{s}.number")),
                StringComparer.Ordinal),
            int.TryParse(Text("version"), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null);
    }

    /// <summary>
    /// A JSON merge patch of what differs from <paramref name="current"/>: an emptied field is <c>null</c> (back to its
    /// default), a number of hours a JSON number when it reads as one (else the text, for the handler to refuse).
    /// </summary>
    public JsonObject PatchFrom(SettingsView current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var n = current.Notifications;
        var notifications = new JsonObject();
        var quiet = new JsonObject();
        Change(quiet, "start", QuietStart, n.QuietHours.Start);
        Change(quiet, "end", QuietEnd, n.QuietHours.End);
        if (quiet.Count > 0)
        {
            notifications["quietHours"] = quiet;
        }
        if (NoticeWindowHours != n.NoticeWindowHours.ToString(CultureInfo.InvariantCulture))
        {
            notifications["noticeWindowHours"] = NoticeWindowHours.Length == 0 ? null
                : int.TryParse(NoticeWindowHours, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var hours) ? hours
                : NoticeWindowHours;
        }
        Change(notifications, "alertEmail", AlertEmail, n.AlertEmail);
        Change(notifications, "timeZone", TimeZone, n.TimeZone);
        var schemes = new JsonObject();
        foreach (var (scheme, (registered, number)) in Schemes)
        {
            var was = current.Schemes.TryGetValue(scheme, out var saved) ? saved : new SchemeRegistration(false, null);
            var change = new JsonObject();
            if (registered != was.Registered)
            {
                change["registered"] = registered;
            }
            if (!string.Equals(number, was.Number ?? "", StringComparison.OrdinalIgnoreCase))
            {
                change["number"] = number.Length == 0 ? null : number;
            }
            if (change.Count > 0)
            {
                schemes[scheme] = change;
            }
        }
        var patch = new JsonObject();
        if (notifications.Count > 0)
        {
            patch["notifications"] = notifications;
        }
        if (schemes.Count > 0)
        {
            patch["schemes"] = schemes;
        }
        return patch;
    }

    private static void Change(JsonObject into, string name, string typed, string? saved)
    {
        if (!string.Equals(typed, saved ?? "", StringComparison.Ordinal))
        {
            into[name] = typed.Length == 0 ? null : typed;
        }
    }
}
