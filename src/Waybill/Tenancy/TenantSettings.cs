using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tenancy;

/// <summary>A tax-collection scheme the seller may be registered for, and the number the registration gave.</summary>
public sealed record SchemeRegistration(bool Registered, string? Number);

/// <summary>
/// A tenant's settings (<c>GET/PATCH /v1/settings</c>): the customs schemes (issue 6) and the notifications (issue 7).
/// <see cref="Version"/> counts the saves (0: never saved); a save may name the version it was read at, so that a stale
/// form does not overwrite a newer change.
/// </summary>
public sealed record SettingsView(IReadOnlyDictionary<string, SchemeRegistration> Schemes, NotificationSettings Notifications, DateTimeOffset? UpdatedAt, int Version = 0);

/// <summary>
/// How buyers and the seller are told: nothing reaches a buyer between <see cref="QuietHours"/>' start and end in the
/// buyer's time zone (held until the end); <c>approaching_customs</c> is announced when the lane's forecast puts import
/// customs within <see cref="NoticeWindowHours"/>; exceptions and stalls go to <see cref="AlertEmail"/>;
/// <see cref="TimeZone"/> (a tz database id) dates the seller's alerts, and a buyer's messages when neither the buyer
/// nor the ship-to country gives a zone.
/// </summary>
public sealed record NotificationSettings(QuietHours QuietHours, int NoticeWindowHours, string? AlertEmail, string? TimeZone = null)
{
    public static readonly NotificationSettings Default = new(new QuietHours("21:00", "08:00"), 24, null);
}

/// <summary>Local times <c>HH:mm</c>; a window that ends before it starts runs over midnight.</summary>
public sealed record QuietHours(string Start, string End)
{
    public TimeOnly StartTime => TimeOnly.ParseExact(Start, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public TimeOnly EndTime => TimeOnly.ParseExact(End, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when the local time falls in the quiet hours.</summary>
    public bool Contains(TimeOnly local) => local.IsBetween(StartTime, EndTime);
}

/// <summary>
/// The stored settings of a tenant: a JSON document of what the tenant changed; what it never set keeps its default.
/// One row per tenant, written with an optimistic version check.
/// </summary>
public sealed class TenantSettings
{
    private TenantSettings()
    {
    }

    public Guid TenantId { get; private set; }

    /// <summary>The settings as stored: a JSON object with only what the tenant set.</summary>
    public string Document { get; private set; } = "{}";

    public DateTimeOffset UpdatedAt { get; private set; }

    public int Version { get; private set; }

    internal static TenantSettings Create(Guid tenantId) => new() { TenantId = tenantId };

    internal void Replace(string document, DateTimeOffset now)
    {
        Document = document;
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>
/// The customs schemes a seller can be registered for (issue 6): EU IOSS, UK point of sale, AU and NZ GST at sale, NO
/// VOEC, Swiss VAT for foreign sellers, Singapore's overseas vendor registration, Canada's GST/HST. Landed-cost quotes
/// assume the first five unless the settings say otherwise. Each number is checked against its scheme's format.
/// </summary>
public static partial class CustomsSchemes
{
    public const string Ioss = "IOSS";
    public const string UkPointOfSale = "UK_POS";
    public const string AuGst = "AU_GST";
    public const string NzGst = "NZ_GST";
    public const string NoVoec = "NO_VOEC";
    public const string ChVat = "CH_VAT";
    public const string SgGst = "SG_GST";
    public const string CaGst = "CA_GST";

    /// <summary>Every scheme, its default registration, and the shape of its number (with an example, for messages).</summary>
    public static readonly FrozenDictionary<string, (bool Registered, Regex Format, string Example)> All =
        new Dictionary<string, (bool, Regex, string)>
        {
            [Ioss] = (true, IossNumber(), "IM2760000001 (IM, the member state's 3-digit code, 7 digits)"),
            [UkPointOfSale] = (true, UkVatNumber(), "GB123456789 (GB and 9 or 12 digits)"),
            [AuGst] = (true, Digits("11|12"), "an 11-digit ABN or a 12-digit ARN"),
            [NzGst] = (true, Digits("8|9"), "an 8- or 9-digit GST number"),
            [NoVoec] = (true, VoecNumber(), "VOEC2012345 (VOEC and 7 digits)"),
            [ChVat] = (false, ChUid(), "CHE-123.456.789 MWST"),
            [SgGst] = (false, SgNumber(), "M90312345A (OVR GST registration number)"),
            [CaGst] = (false, CaBusinessNumber(), "123456789RT0001"),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    private static Regex Digits(string counts) => new($"^(\\d{{{counts.Replace("|", "}|\\d{", StringComparison.Ordinal)}}})$", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"^IM\d{10}$", RegexOptions.CultureInvariant)]
    private static partial Regex IossNumber();

    [GeneratedRegex(@"^GB(\d{9}|\d{12})$", RegexOptions.CultureInvariant)]
    private static partial Regex UkVatNumber();

    [GeneratedRegex(@"^VOEC\d{7}$", RegexOptions.CultureInvariant)]
    private static partial Regex VoecNumber();

    [GeneratedRegex(@"^CHE-\d{3}\.\d{3}\.\d{3}( (MWST|TVA|IVA))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ChUid();

    [GeneratedRegex(@"^[A-Z0-9]{9,10}$", RegexOptions.CultureInvariant)]
    private static partial Regex SgNumber();

    [GeneratedRegex(@"^\d{9}RT\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex CaBusinessNumber();
}

public static class GetSettings
{
    public sealed class Handler(WaybillDb db)
    {
        public async Task<SettingsView> HandleAsync(CancellationToken ct)
        {
            var stored = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(ct);
            return Settings.ViewOf(stored);
        }
    }
}

/// <summary>
/// <c>PATCH /v1/settings</c>: a JSON merge patch (RFC 7396) of the settings. <c>null</c> returns a value to its default.
/// Every wrong field is named at once; nothing is changed unless everything is right.
/// </summary>
public static class PatchSettings
{
    public sealed class Handler(WaybillDb db, TimeProvider clock, SchemeRegistrations registrations)
    {
        public Task<Result<SettingsView>> HandleAsync(JsonElement patch, CancellationToken ct) => HandleAsync(patch, null, ct);

        /// <summary>
        /// With <paramref name="expectedVersion"/>: only when the settings are still at that version (the one the caller
        /// read), else 409 <c>settings.stale</c> and nothing is changed.
        /// </summary>
        public async Task<Result<SettingsView>> HandleAsync(JsonElement patch, int? expectedVersion, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            if (patch.ValueKind != JsonValueKind.Object)
            {
                errors.Add("", "The body is a JSON object: the settings to change (a JSON merge patch).");
                return errors.ToError("settings.invalid", "The settings patch is not a JSON object.");
            }
            var stored = await db.TenantSettings.SingleOrDefaultAsync(ct);
            if (expectedVersion is { } expected && expected != (stored?.Version ?? 0))
            {
                return Error.Conflict("settings.stale",
                    $"The settings were changed since they were read (version {expected}, now {stored?.Version ?? 0}); read them again and redo the change.");
            }
            var document = JsonNode.Parse(stored?.Document ?? "{}")!.AsObject();
            Settings.Merge(document, JsonObject.Create(patch)!, "", errors);
            Settings.Validate(document, errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError("settings.invalid", "The settings have invalid fields.");
            }
            if (stored is null)
            {
                stored = TenantSettings.Create(db.TenantId);
                db.TenantSettings.Add(stored);
            }
            stored.Replace(document.ToJsonString(), clock.UtcNow());
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || db.IsUniqueViolation(ex))
            {
                return Error.Conflict("settings.changed", "The settings were changed by another request at the same time; send the patch again.");
            }
            registrations.Forget(db.TenantId);
            return Settings.ViewOf(stored);
        }
    }
}

/// <summary>The settings' defaults, merge and checks.</summary>
internal static class Settings
{
    public static SettingsView ViewOf(TenantSettings? stored)
    {
        var document = JsonNode.Parse(stored?.Document ?? "{}")!.AsObject();
        var schemes = document["schemes"] as JsonObject;
        var view = new SortedDictionary<string, SchemeRegistration>(StringComparer.Ordinal);
        foreach (var (name, (registered, _, _)) in CustomsSchemes.All)
        {
            var set = schemes?[name] as JsonObject;
            view[name] = new SchemeRegistration(
                set?["registered"]?.GetValue<bool>() ?? registered,
                set?["number"]?.GetValue<string>());
        }
        var n = document["notifications"] as JsonObject;
        var quiet = n?["quietHours"] as JsonObject;
        var defaults = NotificationSettings.Default;
        var notifications = new NotificationSettings(
            new QuietHours(quiet?["start"]?.GetValue<string>() ?? defaults.QuietHours.Start, quiet?["end"]?.GetValue<string>() ?? defaults.QuietHours.End),
            n?["noticeWindowHours"]?.GetValue<int>() ?? defaults.NoticeWindowHours,
            n?["alertEmail"]?.GetValue<string>(),
            n?["timeZone"]?.GetValue<string>());
        return new SettingsView(view, notifications, stored?.UpdatedAt, stored?.Version ?? 0);
    }

    /// <summary>RFC 7396: objects merge member by member, <c>null</c> removes (back to the default), anything else replaces.</summary>
    public static void Merge(JsonObject target, JsonObject patch, string path, ValidationErrors errors)
    {
        foreach (var (name, value) in patch.ToList())
        {
            var field = path.Length == 0 ? name : $"{path}.{name}";
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject inner)
            {
                if (target[name] is not JsonObject existing)
                {
                    target[name] = existing = [];
                }
                Merge(existing, inner, field, errors);
            }
            else
            {
                patch.Remove(name); // a node has one parent
                target[name] = value;
            }
        }
    }

    public static void Validate(JsonObject document, ValidationErrors errors)
    {
        foreach (var (name, value) in document)
        {
            if (name == "notifications")
            {
                ValidateNotifications(value, errors);
                continue;
            }
            if (name != "schemes")
            {
                errors.Add(name, "Not a setting. Settings: schemes, notifications.");
                continue;
            }
            if (value is not JsonObject schemes)
            {
                errors.Add("schemes", "An object: {IOSS: {registered, number}, ...}.");
                continue;
            }
            foreach (var (scheme, registration) in schemes)
            {
                var field = $"schemes.{scheme}";
                if (!CustomsSchemes.All.TryGetValue(scheme, out var rule))
                {
                    errors.Add(field, $"Not a scheme: {string.Join(", ", CustomsSchemes.All.Keys.Order(StringComparer.Ordinal))}.");
                    continue;
                }
                if (registration is not JsonObject r)
                {
                    errors.Add(field, "An object: {registered: true|false, number: \"...\"}.");
                    continue;
                }
                string? normalised = null;
                foreach (var (key, v) in r)
                {
                    switch (key)
                    {
                        case "registered" when v is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                            break;
                        case "registered":
                            errors.Add($"{field}.registered", "true or false.");
                            break;
                        case "number" when v is JsonValue s && s.GetValueKind() == JsonValueKind.String:
                            var number = s.GetValue<string>().Trim().ToUpperInvariant();
                            if (!rule.Format.IsMatch(number))
                            {
                                errors.Add($"{field}.number", $"'{s.GetValue<string>()}' is not a {scheme} number: {rule.Example}.");
                            }
                            else
                            {
                                normalised = number;
                            }
                            break;
                        case "number":
                            errors.Add($"{field}.number", "A string, or null to remove it.");
                            break;
                        default:
                            errors.Add($"{field}.{key}", "Not a field of a scheme: registered, number.");
                            break;
                    }
                }
                if (normalised is not null)
                {
                    r["number"] = normalised;
                }
            }
        }
    }
    private static void ValidateNotifications(JsonNode? value, ValidationErrors errors)
    {
        if (value is not JsonObject n)
        {
            errors.Add("notifications", "An object: {quietHours: {start, end}, noticeWindowHours, alertEmail, timeZone}.");
            return;
        }
        foreach (var (key, v) in n.ToList())
        {
            var field = $"notifications.{key}";
            switch (key)
            {
                case "quietHours" when v is JsonObject q:
                    foreach (var (end, t) in q)
                    {
                        if (end is not ("start" or "end"))
                        {
                            errors.Add($"{field}.{end}", "Not a field of the quiet hours: start, end.");
                        }
                        else if (t is not JsonValue s || s.GetValueKind() != JsonValueKind.String
                            || !TimeOnly.TryParseExact(s.GetValue<string>(), "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
                        {
                            errors.Add($"{field}.{end}", "A local time as HH:mm (24-hour clock), such as \"21:00\".");
                        }
                    }
                    break;
                case "quietHours":
                    errors.Add(field, "An object: {start: \"21:00\", end: \"08:00\"}.");
                    break;
                case "noticeWindowHours" when v is JsonValue h && h.GetValueKind() == JsonValueKind.Number && h.TryGetValue<int>(out var hours) && hours is >= 1 and <= 240:
                    break;
                case "noticeWindowHours":
                    errors.Add(field, "A whole number of hours from 1 to 240.");
                    break;
                case "alertEmail" when v is JsonValue e && e.GetValueKind() == JsonValueKind.String:
                    if (EmailAddress.TryCreate(e.GetValue<string>(), out var email, out var reason))
                    {
                        n[key] = email.Value;
                    }
                    else
                    {
                        errors.Add(field, reason!);
                    }
                    break;
                case "alertEmail":
                    errors.Add(field, "An email address, or null to remove it.");
                    break;
                case "timeZone" when v is JsonValue z && z.GetValueKind() == JsonValueKind.String
                    && NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(z.GetValue<string>()) is not null:
                    break;
                case "timeZone":
                    errors.Add(field, "A time zone of the tz database, e.g. \"Europe/Berlin\", or null to remove it.");
                    break;
                default:
                    errors.Add(field, "Not a notification setting: quietHours, noticeWindowHours, alertEmail, timeZone.");
                    break;
            }
        }
    }
}
