namespace Waybill.Server.Pages.Dashboard;

/// <summary>One settings field's feedback: its path in the settings (<c>notifications.alertEmail</c>), its errors, what is saved now.</summary>
public sealed record SettingsInput(string Field, IReadOnlyList<string> Errors, string? SavedNow)
{
    /// <summary>The id of the input a field path belongs to (for the error summary's links).</summary>
    public static string IdOf(string field) => field switch
    {
        "notifications.quietHours.start" => "quiet-start",
        "notifications.quietHours.end" => "quiet-end",
        "notifications.noticeWindowHours" => "notice-window",
        "notifications.alertEmail" => "alert-email",
        "notifications.timeZone" => "time-zone",
        _ when field.StartsWith("schemes.", StringComparison.Ordinal) && field.Split('.') is [_, var scheme, var part] => $"scheme-{scheme}-{part}",
        _ => "settings-error",
    };

    /// <summary>The text key of the label a field path belongs to.</summary>
    public static string LabelKeyOf(string field) => field switch
    {
        "notifications.quietHours.start" => "orders.settings_quiet_start",
        "notifications.quietHours.end" => "orders.settings_quiet_end",
        "notifications.noticeWindowHours" => "orders.settings_notice_window",
        "notifications.alertEmail" => "orders.settings_alert_email",
        "notifications.timeZone" => "orders.settings_time_zone",
        _ when field.StartsWith("schemes.", StringComparison.Ordinal) && field.Split('.') is [_, var scheme, _] && Tenancy.CustomsSchemes.All.ContainsKey(scheme) => "orders.scheme." + scheme,
        _ => "orders.settings_title",
    };
}
