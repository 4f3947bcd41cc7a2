using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Waybill.Persistence;

namespace Waybill.Server.Web;

/// <summary>
/// The web pages: the buyer's public tracking pages (<c>/track</c>) and the seller's dashboard (<c>/dashboard</c>),
/// Razor Pages rendered by the server, with their own stylesheet and scripts under <c>wwwroot</c> (no CDN).
/// </summary>
internal static class WebSetup
{
    public static void AddWeb(this IServiceCollection services, Storage storage)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton(WebText.Default);
        services.AddScoped<PageLocale>();
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Dashboard");
            o.Conventions.AllowAnonymousToPage("/Dashboard/SignIn");
        });
        services.AddAuthentication(DashboardSession.Scheme).AddCookie(DashboardSession.Scheme, DashboardSession.Configure);
        // A session's 8 hours are real hours: the demo's accelerated clock (the TimeProvider in DI) would end it in 20 s.
        services.AddOptions<CookieAuthenticationOptions>(DashboardSession.Scheme).Configure<WallClock>((o, wall) => o.TimeProvider = wall.Time);
        services.AddAuthorization();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "waybill_antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__antiforgery";
        });
        // Data Protection keys in the database: sessions survive restarts and are read by every replica.
        services.AddDataProtection().SetApplicationName("Waybill");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(_ =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(storage)));
    }

    public static void UseWeb(this WebApplication app)
    {
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<DashboardTenantMiddleware>();
    }

    public static void MapWeb(this WebApplication app) => app.MapRazorPages();
}
