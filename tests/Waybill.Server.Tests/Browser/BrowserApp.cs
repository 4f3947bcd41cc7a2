using System.Drawing;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests.Browser;

/// <summary>Every browser test shares one server and one Chromium, one test at a time (two cores, one browser).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserApp>
{
    public const string Name = "browser";
}

/// <summary>
/// The real Waybill server on a real Kestrel port (loopback, SQLite) and headless Chromium driven by Selenium through
/// Debian's <c>chromium</c> and <c>chromium-driver</c> at their system paths. Without them the tests skip, saying what is
/// missing; on CI (<c>CI</c> set) they fail instead, since <c>.ci/run</c> installs both.
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    /// <summary>The phone width every page must fit without horizontal scrolling.</summary>
    public const int PhoneWidth = 390;

    private WebApplication? _server;
    private ChromeDriver? _driver;

    public SqliteDatabase Database { get; } = new();

    public string? Unavailable { get; private set; }

    public string BaseUrl { get; private set; } = "";

    public ChromeDriver Driver => _driver ?? throw new InvalidOperationException(Unavailable ?? "The browser is not started.");

    /// <summary>Where screenshots go: <c>bin/.../screenshots</c>, one PNG per page and width, named by the test.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        var missing = new[] { ChromiumPath, DriverPath }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            Unavailable = $"Browser tests need Debian's chromium and chromium-driver ({string.Join(", ", missing)} missing): apt-get install chromium chromium-driver.";
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
            {
                throw new InvalidOperationException(Unavailable + " CI installs them (.ci/run).");
            }
            return;
        }
        await Database.InitializeAsync();
        Database.RequireAvailable();
        (_server, BaseUrl) = await StartServerAsync(Database.Storage.DataDirectory);
        _driver = StartBrowser();
    }

    /// <summary>
    /// Starts another real server on a free loopback port (with extra options, e.g. a low <c>--track-rate-limit</c>); the
    /// caller stops it. The shared server allows 1,000 tracking lookups a minute, so that tests do not trip the limit.
    /// </summary>
    public static async Task<(WebApplication Server, string BaseUrl)> StartServerAsync(string dataDirectory, params string[] options)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory, "--demo", "false", "--track-rate-limit", "1000", "--Logging:LogLevel:Default", "Warning", .. options];
        var server = WaybillServer.Build(args);
        await server.StartAsync();
        return (server, server.Urls.First().TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        _driver?.Quit();
        _driver?.Dispose();
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
        await Database.DisposeAsync();
    }

    /// <summary>Skips the calling test when the browser is missing (outside CI).</summary>
    public void Require()
    {
        if (Unavailable is not null)
        {
            Assert.Skip(Unavailable);
        }
    }

    /// <summary>A new tenant, and an API client with its key (to set up orders and parcels as a seller's system would).</summary>
    public async Task<(HttpClient Api, string ApiKey)> NewTenantAsync()
    {
        Require();
        var (db, _, key) = await Database.NewTenantAsync();
        await db.DisposeAsync();
        var api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (api, key);
    }

    /// <summary>A clean browser: no cookies from an earlier test, desktop size.</summary>
    public void Fresh()
    {
        Require();
        Driver.Navigate().GoToUrl(BaseUrl + "/health/live");
        // Every cookie of every path (the session lives on /dashboard, the tracking proof on /track).
        Driver.ExecuteCdpCommand("Network.clearBrowserCookies", []);
        Driver.Manage().Window.Size = new Size(1280, 900);
        _ = Driver.Manage().Logs.GetLog(LogType.Browser); // what an earlier test left in the log is not this test's
    }

    public void Go(string path) => Driver.Navigate().GoToUrl(BaseUrl + path);

    /// <summary>Signs in to the dashboard with an API key, through the sign-in form.</summary>
    public void SignIn(string apiKey)
    {
        Go("/dashboard/sign-in");
        Driver.FindElement(By.Id("api-key")).SendKeys(apiKey);
        Driver.FindElement(By.CssSelector("main form button[type=submit]")).Click();
        WaitUntil(() => !Driver.Url.Contains("/sign-in", StringComparison.Ordinal), "the sign-in to finish");
    }

    public IWebElement Find(string css) => Driver.FindElement(By.CssSelector(css));

    public string MainText => Find("main").Text;

    /// <summary>Polls a condition for up to 10 s; fails naming what it waited for.</summary>
    public void WaitUntil(Func<bool> condition, string what, int seconds = 10)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (WebDriverException) when (DateTime.UtcNow < until)
            {
                // the page is changing under us: ask again
            }
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Waited {seconds} s for {what}; the page is {Driver.Url}:\n{SafeText()}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// The checks every page gets: no serious or critical axe-core violation, a desktop screenshot, then at 390 px wide
    /// (a phone, emulated) no horizontal scroll and a phone screenshot. The page is not reloaded (it may be the answer
    /// to a POST): the emulated viewport lays it out again.
    /// </summary>
    public void CheckPage(string name)
    {
        AssertNoConsoleErrors(name);
        Screenshot($"{name}-desktop");
        AssertAccessible(name);
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = PhoneWidth,
            ["height"] = 844,
            ["deviceScaleFactor"] = 1,
            ["mobile"] = true,
        });
        try
        {
            WaitUntil(() => (long)Driver.ExecuteScript("return window.innerWidth")! == PhoneWidth, "the phone viewport");
            Thread.Sleep(300); // let resize handlers (the charts) redraw
            var overflow = (string)Driver.ExecuteScript("""
                const width = document.documentElement.clientWidth;
                if (document.documentElement.scrollWidth <= width) return '';
                const wide = [...document.querySelectorAll('body *')]
                  .filter(e => { const r = e.getBoundingClientRect(); return r.right > width + 1 && getComputedStyle(e).position !== 'absolute'; })
                  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)');
                return 'page is ' + document.documentElement.scrollWidth + ' px wide in a ' + width + ' px viewport; widest: ' + wide.join(', ');
                """)!;
            Screenshot($"{name}-phone");
            Assert.True(overflow.Length == 0, $"{name}: scrolls horizontally at {PhoneWidth} px: {overflow}");
            AssertAccessible(name + " (phone)");
        }
        finally
        {
            Driver.ExecuteCdpCommand("Emulation.clearDeviceMetricsOverride", []);
        }
    }

    /// <summary>Runs axe-core (vendored from npm) in the page; fails on any violation of serious or critical impact.</summary>
    public void AssertAccessible(string name)
    {
        var axe = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Browser", "vendor", "axe-core", "axe.min.js"));
        Driver.ExecuteScript(axe);
        var json = (string)Driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(JSON.stringify(r.violations)))
              .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));
            """)!;
        using var violations = JsonDocument.Parse(json);
        var serious = violations.RootElement.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("help").GetString()} at "
                + string.Join("; ", v.GetProperty("nodes").EnumerateArray().Take(3).Select(n => n.GetProperty("html").GetString())))
            .ToList();
        Assert.True(serious.Count == 0, $"{name}: accessibility violations:\n{string.Join("\n", serious)}");
    }

    /// <summary>
    /// Fails on anything the browser reported as an error since the last check: a script error, a file that did not
    /// load, a Content-Security-Policy violation. (Expected error statuses of the page itself, 4xx, are allowed.)
    /// </summary>
    public void AssertNoConsoleErrors(string name)
    {
        var errors = Driver.Manage().Logs.GetLog(LogType.Browser)
            .Where(e => e.Level >= OpenQA.Selenium.LogLevel.Severe)
            .Select(e => e.Message)
            .Where(m => !(m.Contains(Driver.Url, StringComparison.Ordinal) && m.Contains("the server responded with a status of 4", StringComparison.Ordinal)))
            .ToList();
        Assert.True(errors.Count == 0, $"{name}: the browser reported errors:\n{string.Join("\n", errors)}");
    }

    public void Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        Driver.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotDirectory, name + ".png"));
    }

    private string SafeText()
    {
        try
        {
            return Driver.FindElement(By.TagName("body")).Text;
        }
        catch (WebDriverException ex)
        {
            return ex.Message;
        }
    }

    private static ChromeDriver StartBrowser()
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath), Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900", "--lang=en-US");
        options.AddUserProfilePreference("intl.accept_languages", "en-US,en");
        options.SetLoggingPreference(LogType.Browser, OpenQA.Selenium.LogLevel.All);
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(30);
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        return driver;
    }
}
