using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;

namespace Waybill.Server.Web;

/// <summary>
/// The public tracking pages' limits: <c>--track-rate-limit N</c> lookups a minute per client address (default 30,
/// loopback included), and <c>--trusted-proxy IP[,IP...]</c>, the reverse proxies whose <c>X-Forwarded-For</c> names the
/// client. Without a trusted proxy the header is ignored, so a client cannot escape its limit by sending one.
/// </summary>
internal sealed record TrackLimits(int PerMinute, IReadOnlyList<IPAddress> TrustedProxies)
{
    public const string Policy = "track";
    public const int DefaultPerMinute = 30;
    public const int MaxPerMinute = 100_000;

    /// <exception cref="ServerConfigurationException">A value is out of range or not an address.</exception>
    public static TrackLimits From(IConfiguration configuration)
    {
        var perMinute = DefaultPerMinute;
        if (configuration["track-rate-limit"] is { } text && !string.IsNullOrWhiteSpace(text))
        {
            if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out perMinute) || perMinute is < 1 or > MaxPerMinute)
            {
                throw new ServerConfigurationException($"--track-rate-limit must be 1 to {MaxPerMinute} tracking lookups a minute per client address, not '{text}'.");
            }
        }
        var proxies = new List<IPAddress>();
        if (configuration["trusted-proxy"] is { } list && !string.IsNullOrWhiteSpace(list))
        {
            foreach (var item in list.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!IPAddress.TryParse(item, out var address) || item.Contains('/', StringComparison.Ordinal))
                {
                    throw new ServerConfigurationException($"--trusted-proxy must be IP addresses separated by commas (the reverse proxies in front of the server), not '{list}'.");
                }
                proxies.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            }
        }
        return new TrackLimits(perMinute, proxies);
    }
}

/// <summary>
/// The per-client-address rate limit of the tracking pages (ASP.NET Core's rate limiter, a fixed window a minute, in
/// memory: the limit is per replica), attached to the <c>/track</c> pages only (<see cref="WebSetup"/>), and the
/// forwarded-headers rule it depends on.
/// </summary>
internal static class RateLimits
{
    public static void AddTrackRateLimits(this IServiceCollection services, TrackLimits limits)
    {
        services.AddSingleton(limits);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Nothing is trusted unless the operator names the proxy: not even loopback (the framework's default).
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            if (limits.TrustedProxies.Count == 0)
            {
                o.ForwardedHeaders = ForwardedHeaders.None;
                return;
            }
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in limits.TrustedProxies)
            {
                o.KnownProxies.Add(proxy);
            }
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(TrackLimits.Policy, context => RateLimitPartition.GetFixedWindowLimiter(ClientOf(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.PerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
            o.OnRejected = (context, ct) => WriteLimitedAsync(context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1), ct);
        });
    }

    /// <summary>
    /// The client a lookup counts against: its address (as the trusted proxy forwarded it, if any); an IPv6 client by
    /// its /64, the block one subscriber usually gets, so that rotating addresses within it does not escape the limit.
    /// </summary>
    internal static string ClientOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(address))
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return address.ToString();
    }

    /// <summary>The answer over the limit: 429, <c>Retry-After</c> in seconds, and a small page in the viewer's language.</summary>
    internal static async ValueTask WriteLimitedAsync(HttpContext context, TimeSpan retryAfter, CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/html; charset=utf-8";
        var text = context.RequestServices.GetRequiredService<PageLocale>();
        var html = HtmlEncoder.Default;
        var title = html.Encode(text["track.limited_title"]);
        var page = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"").Append(html.Encode(text.Locale)).Append("\" dir=\"").Append(PageLocale.Direction).Append("\">\n<head>\n")
            .Append("<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(title).Append(" · Waybill</title>\n<link rel=\"icon\" href=\"data:,\">\n")
            .Append("<link rel=\"stylesheet\" href=\"/css/site.css\">\n</head>\n<body class=\"public\">\n")
            .Append("<header class=\"site-header\"><div class=\"bar\"><a class=\"brand\" href=\"/track\">Waybill</a></div></header>\n")
            .Append("<main id=\"main\"><section class=\"narrow\" id=\"rate-limited\">\n<h1>").Append(title).Append("</h1>\n")
            .Append("<p>").Append(html.Encode(text["track.limited_body"])).Append("</p>\n")
            .Append("<p class=\"notice warn\">").Append(html.Encode(text.Format("track.limited_retry", seconds))).Append("</p>\n")
            .Append("</section></main>\n</body>\n</html>\n");
        await response.WriteAsync(page.ToString(), ct);
    }
}
