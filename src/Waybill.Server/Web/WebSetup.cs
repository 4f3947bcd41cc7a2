using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Waybill.Persistence;

namespace Waybill.Server.Web;

/// <summary>
/// The web pages: the buyer's public tracking pages (<c>/track</c>) and the seller's dashboard (<c>/dashboard</c>),
/// Razor Pages rendered by the server, with their own stylesheet and scripts under <c>wwwroot</c> (no CDN).
/// </summary>
internal static class WebSetup
{
    public static void AddWeb(this IServiceCollection services, Storage storage, IConfiguration configuration)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton(WebText.Default);
        services.AddScoped<PageLocale>();
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Dashboard");
            o.Conventions.AllowAnonymousToPage("/Dashboard/SignIn");
            // Every tracking lookup (the search, a parcel's page, a confirmation) counts against the client's limit.
            o.Conventions.AddFolderApplicationModelConvention("/Track", page => page.EndpointMetadata.Add(new EnableRateLimitingAttribute(TrackLimits.Policy)));
        });
        services.AddTrackRateLimits(TrackLimits.From(configuration));
        services.AddSingleton(sp => new TrackConfirmation(sp.GetRequiredService<IDataProtectionProvider>(), sp.GetRequiredService<WallClock>()));
        services.AddSingleton(sp => new ConfirmationAttempts(sp.GetRequiredService<WallClock>()));
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

    /// <summary>
    /// What a page may load and run: only this server's own stylesheet, scripts and images (no inline script, no other
    /// site), never framed, forms posted only back here.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void UseWeb(this WebApplication app)
    {
        // X-Forwarded-For only from the operator's --trusted-proxy (see RateLimits); otherwise nothing is read from it.
        app.UseForwardedHeaders();
        app.Use((context, next) =>
        {
            if (WebErrorPage.IsPage(context))
            {
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "same-origin";
                    headers.XFrameOptions = "DENY";
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<DashboardTenantMiddleware>();
    }

    public static void MapWeb(this WebApplication app) => app.MapRazorPages();
}
