using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Server.Web;

namespace Waybill.Server.Pages.Dashboard;

/// <summary>Ends the session (a POST with the antiforgery token; a GET shows the button).</summary>
public sealed class SignOutModel : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(DashboardSession.Scheme);
        return Redirect("/dashboard/sign-in");
    }
}
