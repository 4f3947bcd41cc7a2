using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Persistence;
using Waybill.Server.Web;

namespace Waybill.Server.Pages.Dashboard;

/// <summary>The dashboard's sign-in: the tenant's API key for a session cookie.</summary>
public sealed class SignInModel(Storage storage, PageLocale text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() =>
        DashboardSession.TenantOf(User) is not null ? LocalRedirect(SafeReturn(ReturnUrl)) : Page();

    public async Task<IActionResult> OnPostAsync([FromForm] string? apiKey)
    {
        var found = await DashboardSession.FindAsync(storage, apiKey ?? "", HttpContext.RequestAborted);
        if (found is not { } tenant)
        {
            Error = text["dashboard.sign_in_failed"];
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(
            DashboardSession.Scheme,
            DashboardSession.Principal(tenant.Tenant, tenant.Name, tenant.KeyHash),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
        return LocalRedirect(SafeReturn(ReturnUrl));
    }

    /// <summary>Only a dashboard path: never another site, never a protocol-relative address.</summary>
    internal static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith("/dashboard", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal)
            ? url
            : "/dashboard";
}
