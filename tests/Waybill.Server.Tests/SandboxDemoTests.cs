using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Waybill.Common;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>The embedded demo: the sandbox network carries the demo seller's parcels on the server's accelerated clock.</summary>
public sealed class SandboxDemoTests
{
    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "waybill-tests", Guid.NewGuid().ToString("N"));

    private static WebApplicationFactory<Program> Start(string directory, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("data-dir", directory);
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });

    private static async Task<int> TotalAsync(HttpClient client, string query)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/v1/shipments?pageSize=1&{query}", TestContext.Current.CancellationToken);
        return page.GetProperty("total").GetInt32();
    }

    [Fact]
    public async Task The_demo_seller_has_parcels_at_every_stage_from_the_first_minute_and_they_keep_moving()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = NewDirectory();
        await using var app = Start(directory);
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", ct)).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(directory, "demo-api-key.txt"), ct)).Trim());
        Assert.IsType<AcceleratedClock>(app.Services.GetRequiredService<TimeProvider>());

        // The history (two weeks of orders) is booked and moved within seconds of the start.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await TotalAsync(client, "") < 1500 || await TotalAsync(client, "status=delivered") == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, ct);
        }
        var total = await TotalAsync(client, "");
        Assert.True(total >= 1500, $"{total} shipments");
        Assert.True(await TotalAsync(client, "status=delivered") > 0);
        Assert.True(await TotalAsync(client, "status=in_transit") > 0);
        Assert.True(await TotalAsync(client, "milestone=customs_held") + await TotalAsync(client, "status=exception") + await TotalAsync(client, "status=failed_attempt") > 0,
            "no shipment met an exception");

        // A delivered parcel's timeline: the network's scans, through ingest, in order, across the lane.
        var delivered = (await client.GetFromJsonAsync<JsonElement>("/v1/shipments?pageSize=1&status=delivered", ct)).GetProperty("items")[0];
        var events = await client.GetFromJsonAsync<JsonElement>($"/v1/shipments/{delivered.GetProperty("id").GetString()}/events", ct);
        var list = events.ValueKind == JsonValueKind.Array ? events : events.GetProperty("items");
        Assert.True(list.GetArrayLength() >= 5, events.ToString());
        Assert.All(list.EnumerateArray(), e => Assert.False(e.GetProperty("unmapped").GetBoolean(), e.ToString()));
        var countries = list.EnumerateArray().Select(e => e.GetProperty("location").GetProperty("country").GetString()).Distinct().ToList();
        Assert.True(countries.Count >= 2, $"one country only: {string.Join(",", countries)}");

        // Time runs 1440 times faster: three real seconds are more than an hour of the server's time, and new orders come.
        var before = total;
        var simulated = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await Task.Delay(3000, ct);
        Assert.True(app.Services.GetRequiredService<TimeProvider>().GetUtcNow() - simulated >= TimeSpan.FromHours(1));
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (await TotalAsync(client, "") <= before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, ct);
        }
        Assert.True(await TotalAsync(client, "") > before, "no new order was booked");
    }

    [Fact]
    public async Task A_shipment_any_tenant_books_through_the_api_is_moved_by_the_network()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = NewDirectory();
        // Regression: booked in a Shenzhen evening, the parcel waited for the next morning's pick-up and the test failed
        // whenever it ran in the Chinese evening. The demo clock is started at a Shenzhen weekday morning (08:30 local,
        // later than now, as a saved clock must be), so the first scans always fall within the wait.
        var morning = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1).AddMinutes(30), TimeSpan.Zero);
        while (morning.ToOffset(TimeSpan.FromHours(8)).DayOfWeek == DayOfWeek.Sunday)
        {
            morning = morning.AddDays(1);
        }
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "demo-clock.txt"), morning.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\n", ct);
        await using var app = Start(directory, ("sandbox-orders-per-day", "0"));
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", ct)).StatusCode);
        await using (var db = app.Services.GetRequiredService<Persistence.Storage>().CreateDb())
        {
            var added = await new Tenancy.AddTenant.Handler(db, TimeProvider.System).HandleAsync(new Tenancy.AddTenant.Request("Acme"), ct);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", added.Value.ApiKey);
        }
        await client.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        var order = await (await client.PostJsonAsync("/v1/orders", Build.Order("NET-1"))).JsonAsync();
        var booked = await client.PostJsonAsync($"/v1/orders/{order.GetProperty("id").GetString()}/shipments", new Shipping.BookingInput("fastest"));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var id = (await booked.JsonAsync()).GetProperty("id").GetString();

        // A day of the server's time is a real minute: the carrier's first scans come within seconds.
        var deadline = DateTime.UtcNow.AddSeconds(45);
        JsonElement shipment;
        do
        {
            await Task.Delay(500, ct);
            shipment = await client.GetFromJsonAsync<JsonElement>($"/v1/shipments/{id}", ct);
        }
        while (shipment.GetProperty("milestone").ValueKind == JsonValueKind.Null && DateTime.UtcNow < deadline);
        Assert.NotEqual(JsonValueKind.Null, shipment.GetProperty("milestone").ValueKind);
        var events = await client.GetFromJsonAsync<JsonElement>($"/v1/shipments/{id}/events", ct);
        Assert.All(events.EnumerateArray(), e => Assert.False(e.GetProperty("unmapped").GetBoolean(), e.ToString()));
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("location").GetProperty("country").GetString() == "CN");
    }

    [Fact]
    public async Task Without_the_demo_the_server_runs_on_real_time_with_no_demo_tenant()
    {
        var directory = NewDirectory();
        await using var app = Start(directory, ("demo", "false"));
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Same(TimeProvider.System, app.Services.GetRequiredService<TimeProvider>());
        Assert.False(File.Exists(Path.Combine(directory, "demo-api-key.txt")));
    }

    [Fact]
    public async Task The_no_demo_switch_and_the_speed_are_read_from_the_command_line_and_bad_values_refused()
    {
        var directory = NewDirectory();
        await using var off = WaybillServer.Build(["--data-dir", directory, "--no-demo"]);
        Assert.False(off.Services.GetRequiredService<DemoSettings>().Enabled);
        Assert.Same(TimeProvider.System, off.Services.GetRequiredService<TimeProvider>());

        await using var fast = WaybillServer.Build(["--data-dir", directory, "--sandbox-speed", "60"]);
        var clock = Assert.IsType<AcceleratedClock>(fast.Services.GetRequiredService<TimeProvider>());
        Assert.Equal(60, clock.Speed);

        foreach (var bad in new[] { "0", "fast", "1e9" })
        {
            var ex = Assert.Throws<ServerConfigurationException>(() => WaybillServer.Build(["--data-dir", directory, "--sandbox-speed", bad]));
            Assert.Contains("--sandbox-speed", ex.Message, StringComparison.Ordinal);
        }
        Assert.Throws<ServerConfigurationException>(() => WaybillServer.Build(["--data-dir", directory, "--demo", "maybe"]));
    }

    [Fact]
    public async Task After_a_restart_the_demo_goes_on_from_its_saved_time_with_the_parcels_under_way()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = NewDirectory();
        int total;
        DateTimeOffset stoppedAt;
        await using (var first = Start(directory))
        {
            using var client = first.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await KeyAsync(client, directory));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(Path.Combine(directory, "demo-clock.txt")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, ct);
            }
            total = await TotalAsync(client, "");
            stoppedAt = first.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        }
        Assert.True(File.Exists(Path.Combine(directory, "demo-clock.txt")));
        await using var second = Start(directory);
        using var again = second.CreateClient();
        again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await KeyAsync(again, directory));
        // Simulated time does not go back to real time: it resumes from the saved time (a few simulated seconds may be lost).
        Assert.True(second.Services.GetRequiredService<TimeProvider>().GetUtcNow() > stoppedAt - TimeSpan.FromMinutes(30));
        var now = await TotalAsync(again, "");
        Assert.True(now >= total, $"{now} shipments after the restart, {total} before");
        Assert.True(now < total + 200, $"the history was booked again: {now} after, {total} before");
    }

    private static async Task<string> KeyAsync(HttpClient client, string directory)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);
        return (await File.ReadAllTextAsync(Path.Combine(directory, "demo-api-key.txt"), TestContext.Current.CancellationToken)).Trim();
    }
}
