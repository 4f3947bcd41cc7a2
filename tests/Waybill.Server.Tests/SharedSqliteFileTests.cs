using System.Diagnostics;
using System.Net;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>The embedded default: the CLI, in a process of its own, writes to the SQLite file the server is writing to.</summary>
public sealed class SharedSqliteFileTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_cli_import_in_another_process_and_api_writes_to_one_sqlite_file_all_land()
    {
        var name = $"Two processes {Guid.NewGuid():N}";
        var (_, added, _) = await RunCliAsync("tenants", "add", name);
        var key = added.TrimEnd('\n').Split('\n')[^1];
        var file = Path.Combine(app.Database.Storage.DataDirectory, "orders.csv");
        var lines = new List<string> { Build.CsvHeader };
        for (var i = 0; i < 1500; i++)
        {
            lines.Add(Build.CsvRow($"P-{i:D5}"));
            lines.Add(Build.CsvRow($"P-{i:D5}", sku: "TS-2"));
        }
        await File.WriteAllLinesAsync(file, lines, TestContext.Current.CancellationToken);
        using var client = app.ClientWithKey(key);

        var import = RunCliAsync("orders", "import", file, "--tenant", name);
        var posts = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.PostJsonAsync("/v1/orders", Build.Order($"API-{i}"))));
        var (code, output, error) = await import;

        Assert.True(code == 0, error);
        Assert.Equal("""{"created":1500,"skipped":0,"lines":3000}""", output.Trim());
        Assert.All(posts, p => Assert.Equal(HttpStatusCode.Created, p.StatusCode));
        var list = await (await client.GetAsync("/v1/orders?pageSize=1", TestContext.Current.CancellationToken)).JsonAsync();
        Assert.Equal(1540, list.GetProperty("total").GetInt32());
    }

    /// <summary>Runs the built <c>waybill</c> executable (its dll, beside the tests) as a separate process.</summary>
    private async Task<(int Code, string Out, string Err)> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "waybill.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(app.Database.Storage.DataDirectory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
