using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Server.Web;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Track;

/// <summary>The tracking search: a number typed in any case and spacing goes to its page, <c>/track/{NUMBER}</c>.</summary>
public sealed class IndexModel(PageLocale text) : PageModel
{
    public const int MaxLength = 64;

    public string? Number { get; private set; }

    public string? Error { get; private set; }

    public IActionResult OnGet()
    {
        // Read raw: model binding would turn a blank search into no search.
        if (!Request.Query.TryGetValue("number", out var values))
        {
            return Page();
        }
        var number = values.ToString();
        Number = number;
        var normalized = Carriers.NormalizeNumber(number);
        if (normalized.Length == 0)
        {
            Error = text["track.search_empty"];
        }
        else if (normalized.Length > MaxLength)
        {
            Error = text.Format("track.search_too_long", MaxLength);
        }
        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        return Redirect(NumberModel.PathOf(normalized));
    }
}
