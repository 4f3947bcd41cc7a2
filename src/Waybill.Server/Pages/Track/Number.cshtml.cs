using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Persistence;
using Waybill.Server.Web;
using Waybill.Tracking;
using Waybill.Tracking.Detection;

namespace Waybill.Server.Pages.Track;

/// <summary>
/// A parcel's public page, <c>/track/{number}</c>: found across tenants by any leg's number; its personal data only for a
/// buyer who confirmed the destination postal code (or the order reference) in the last 30 minutes. The confirmation is a
/// POST (antiforgery), answered by a redirect to the page (with <c>?confirm=wrong</c> when it did not match), scrolled to
/// the form or the address, so that a reload never posts again.
/// </summary>
public sealed class NumberModel(
    Storage storage, DeliveryForecasts forecasts, TimeProvider clock, PageLocale text,
    TrackConfirmation confirmation, ConfirmationAttempts attempts) : PageModel
{
    /// <summary>The number as the page shows and links it: without spaces, upper case.</summary>
    public string Number { get; private set; } = "";

    public TrackStory? Story { get; private set; }

    /// <summary>For an unknown number: the carriers whose formats it matches.</summary>
    public IReadOnlyList<TrackingCandidate> Candidates { get; private set; } = [];

    public bool Confirmed { get; private set; }

    /// <summary>The confirmation did not match (shown once, after the redirect).</summary>
    public bool WrongCode { get; private set; }

    public bool MissingCode { get; private set; }

    /// <summary>How long until the confirmation opens again after too many wrong attempts (null while it is open).</summary>
    public TimeSpan? LockedFor { get; private set; }

    public int AttemptsLeft { get; private set; } = ConfirmationAttempts.MaxFailures;

    public static string PathOf(string number) => "/track/" + Uri.EscapeDataString(number);

    public async Task<IActionResult> OnGetAsync(string number, [FromQuery] string? confirm)
    {
        if (await LoadAsync(number) is { } notFound)
        {
            return notFound;
        }
        WrongCode = confirm == "wrong" && !Confirmed;
        MissingCode = confirm == "missing" && !Confirmed;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string number, [FromForm] string? code)
    {
        if (await LoadAsync(number) is { } notFound)
        {
            return notFound;
        }
        var story = Story!;
        if (story.ConfirmBy == ConfirmBy.Nothing || Confirmed)
        {
            return Redirect(PathOf(Number));
        }
        if (LockedFor is { } locked)
        {
            // Too many wrong attempts: 429, and the page says when to try again.
            var seconds = Math.Max(1, (int)Math.Ceiling(locked.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (string.IsNullOrWhiteSpace(code))
        {
            return Redirect(PathOf(Number) + "?confirm=missing#confirm");
        }
        if (code.Length > 100 || !story.Confirms(code))
        {
            attempts.Fail(story.ShipmentId);
            return Redirect(PathOf(Number) + "?confirm=wrong#confirm");
        }
        confirmation.Grant(HttpContext, story.ShipmentId);
        return Redirect(PathOf(Number) + "#address");
    }

    /// <summary>Finds and reads the parcel; the 404 page when there is none (then the result to return).</summary>
    private async Task<IActionResult?> LoadAsync(string number)
    {
        Number = Carriers.NormalizeNumber(number ?? "");
        Response.Headers["X-Robots-Tag"] = "noindex";
        var ct = HttpContext.RequestAborted;
        await using var db = storage.CreateDb();
        var found = Number.Length is > 0 and <= IndexModel.MaxLength ? await TrackStory.FindAsync(db, Number, ct) : null;
        if (found is { } parcel)
        {
            db.TenantId = parcel.Tenant; // from here on, the context sees the parcel's tenant only
            Story = await TrackStory.LoadAsync(db, parcel.Shipment, forecasts, clock, ct);
        }
        if (Story is null)
        {
            Response.Headers.CacheControl = "no-store";
            Candidates = Number.Length is > 0 and <= IndexModel.MaxLength ? CarrierRegistry.Default.Candidates(Number) : [];
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        // The buyer's locale is the last resort after ?lang= and the browser's languages; set before any text is read.
        text.Fallback = Story.Order?.BuyerLocale;
        Confirmed = Story.ConfirmBy != ConfirmBy.Nothing && confirmation.IsConfirmed(HttpContext, Story.ShipmentId);
        LockedFor = Confirmed ? null : attempts.LockedFor(Story.ShipmentId);
        AttemptsLeft = attempts.Left(Story.ShipmentId);
        if (!ShowsConfirmationForm)
        {
            // Not kept by any cache (a page with the form is marked so by antiforgery).
            Response.Headers.CacheControl = "no-store";
        }
        return null;
    }

    /// <summary>The page asks for the postal code (or reference): the parcel has an order, is not confirmed yet nor locked.</summary>
    public bool ShowsConfirmationForm => Story is { ConfirmBy: not ConfirmBy.Nothing } && !Confirmed && LockedFor is null;

    /// <summary>Minutes until the confirmation opens again, rounded up.</summary>
    public int LockedMinutes => LockedFor is { } locked ? Math.Max(1, (int)Math.Ceiling(locked.TotalMinutes)) : 0;
}
