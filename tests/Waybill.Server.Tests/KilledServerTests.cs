using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Waybill.Server.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>The real server process, killed with SIGKILL while it ingests: every acknowledged event survives.</summary>
public sealed class KilledServerTests
{
    [Fact]
    public async Task Events_acknowledged_before_a_kill_9_are_all_there_after_a_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "waybill-tests", Guid.NewGuid().ToString("N"));
        var port = FreePort();
        using var first = Start(directory, port);
        using var client = await ConnectAsync(directory, port);
        var shipment = await (await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { carrier = "s10", trackingNumber = "RR473124829GB" } } })).JsonAsync();
        var id = shipment.GetProperty("id").GetString();

        var acknowledged = 0;
        var sent = 0;
        var killer = Task.Run(async () =>
        {
            await Task.Delay(1500, TestContext.Current.CancellationToken);
            first.Kill();
        }, TestContext.Current.CancellationToken);
        try
        {
            while (true)
            {
                var batch = Enumerable.Range(sent, 200).Select(i => new
                {
                    trackingNumber = "RR473124829GB",
                    carrier = "s10",
                    code = "EMC",
                    description = $"scan {i}",
                    occurredAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    location = new { city = "London", country = "GB" },
                }).ToArray();
                sent += batch.Length;
                var response = await client.PostJsonAsync("/v1/tracking/events", new { events = batch });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    break;
                }
                acknowledged += (await response.JsonAsync()).GetProperty("accepted").GetInt32();
            }
        }
        catch (HttpRequestException)
        {
            // The server died mid-request: that batch was never acknowledged.
        }
        await killer;
        await first.WaitForExitAsync(TestContext.Current.CancellationToken);

        using var second = Start(directory, port);
        using var again = await ConnectAsync(directory, port);
        var events = await (await again.GetAsync($"/v1/shipments/{id}/events", TestContext.Current.CancellationToken)).JsonAsync();
        second.Kill();

        Assert.True(acknowledged >= 200, $"only {acknowledged} events were acknowledged before the kill");
        Assert.True(events.GetArrayLength() >= acknowledged, $"{acknowledged} acknowledged, {events.GetArrayLength()} found after the restart");
    }

    private static Process Start(string directory, int port)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Waybill.Server.dll"), "--urls", $"http://127.0.0.1:{port}", "--data-dir", directory })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<HttpClient> ConnectAsync(string directory, int port)
    {
        // A minute: the server starts in about 5 s on the 2-core machine, but far slower while the other test projects
        // run beside it (this test measures what survives a kill, not how fast the server starts).
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await client.GetAsync("/health", TestContext.Current.CancellationToken)).IsSuccessStatusCode)
                {
                    var key = (await File.ReadAllTextAsync(Path.Combine(directory, "demo-api-key.txt"), TestContext.Current.CancellationToken)).Trim();
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    return client;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException("The server did not answer /health within 60 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
