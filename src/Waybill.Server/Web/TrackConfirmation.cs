using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Waybill.Server.Web;

/// <summary>
/// The buyer's proof on the public tracking page: once they type the destination postal code (or, where the country has
/// none, the order reference), a short-lived cookie (HttpOnly, SameSite=Lax, path <c>/track</c>) names the shipment and
/// when the proof expires, protected by Data Protection (keys in the database, so every replica reads it). Only then
/// does the page show the recipient and the delivery address.
/// </summary>
public sealed class TrackConfirmation
{
    public const string CookieName = "waybill_track";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private readonly IDataProtector _protector;
    private readonly WallClock _wall;

    internal TrackConfirmation(IDataProtectionProvider dataProtection, WallClock wall)
    {
        _protector = dataProtection.CreateProtector("Waybill.Track.Confirmation.v1");
        _wall = wall;
    }

    /// <summary>Gives the browser the proof for the shipment (replacing any earlier one).</summary>
    public void Grant(HttpContext context, Guid shipmentId)
    {
        var expires = _wall.Time.GetUtcNow() + Lifetime;
        var payload = string.Create(CultureInfo.InvariantCulture, $"{shipmentId:N}|{expires.ToUnixTimeSeconds()}");
        context.Response.Cookies.Append(CookieName, _protector.Protect(payload), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/track",
            MaxAge = Lifetime,
            IsEssential = true,
        });
    }

    /// <summary>True when the request carries an unexpired proof for this shipment.</summary>
    public bool IsConfirmed(HttpContext context, Guid shipmentId)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 and < 4096 } cookie)
        {
            return false;
        }
        string payload;
        try
        {
            payload = _protector.Unprotect(cookie);
        }
        catch (CryptographicException)
        {
            return false; // tampered, or from a key ring this server does not have: not a proof
        }
        var parts = payload.Split('|');
        return parts.Length == 2
            && Guid.TryParseExact(parts[0], "N", out var id) && id == shipmentId
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && _wall.Time.GetUtcNow().ToUnixTimeSeconds() < expires;
    }

    /// <summary>Postal codes and references compared without case, spaces and dashes (<c>sw1a-1aa</c> is <c>SW1A 1AA</c>).</summary>
    public static bool Matches(string? expected, string? given)
    {
        var a = Compact(expected);
        var b = Compact(given);
        return a.Length > 0 && b.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
    }

    internal static string Compact(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c) && c is not ('-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212'))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }
        return builder.ToString();
    }
}

/// <summary>
/// Wrong confirmation attempts per parcel (all its tracking numbers together): 5 in 15 minutes, then the parcel's
/// confirmation is locked until the window ends. In memory, as the rate limit: per replica.
/// </summary>
public sealed class ConfirmationAttempts
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>Past this many parcels with wrong attempts, the expired ones are dropped.</summary>
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<Guid, Failures> _failures = new();
    private readonly WallClock _wall;

    internal ConfirmationAttempts(WallClock wall) => _wall = wall;

    private sealed class Failures(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public int Count { get; set; }
    }

    /// <summary>How long until the parcel's confirmation opens again, or null when an attempt may be made now.</summary>
    public TimeSpan? LockedFor(Guid shipmentId)
    {
        var now = _wall.Time.GetUtcNow();
        if (!_failures.TryGetValue(shipmentId, out var failures))
        {
            return null;
        }
        lock (failures)
        {
            var until = failures.Since + Window;
            return failures.Count >= MaxFailures && now < until ? until - now : null;
        }
    }

    /// <summary>How many wrong attempts the parcel has left in the current window.</summary>
    public int Left(Guid shipmentId)
    {
        if (!_failures.TryGetValue(shipmentId, out var failures))
        {
            return MaxFailures;
        }
        lock (failures)
        {
            return failures.Since + Window <= _wall.Time.GetUtcNow() ? MaxFailures : Math.Max(0, MaxFailures - failures.Count);
        }
    }

    /// <summary>Counts a wrong attempt; answers how many are left in the window.</summary>
    public int Fail(Guid shipmentId)
    {
        var now = _wall.Time.GetUtcNow();
        if (_failures.Count > SweepAbove)
        {
            foreach (var (id, old) in _failures)
            {
                if (old.Since + Window <= now)
                {
                    _failures.TryRemove(id, out _);
                }
            }
        }
        while (true)
        {
            var failures = _failures.GetOrAdd(shipmentId, _ => new Failures(now));
            lock (failures)
            {
                if (failures.Since + Window <= now)
                {
                    // The window is over: a new one starts with this attempt.
                    if (!_failures.TryUpdate(shipmentId, new Failures(now) { Count = 1 }, failures))
                    {
                        continue;
                    }
                    return MaxFailures - 1;
                }
                failures.Count++;
                return Math.Max(0, MaxFailures - failures.Count);
            }
        }
    }
}
