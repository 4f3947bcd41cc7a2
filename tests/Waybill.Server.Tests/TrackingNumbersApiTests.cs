using System.Net;
using System.Text.Json;
using Waybill.Cli;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class TrackingNumbersApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task A_number_answers_its_candidates_with_courier_format_check_digit_and_compliance()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.GetAsync("/v1/tracking-numbers/331426749957", TestContext.Current.CancellationToken);
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["number", "candidates"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("331426749957", body.GetProperty("number").GetString());
        var candidates = body.GetProperty("candidates").EnumerateArray().ToList();
        Assert.All(candidates, c => Assert.Equal(["courier", "formatId", "formatName", "checkDigitValid", "compliant"], c.EnumerateObject().Select(p => p.Name)));
        // Sorted by courier: FedEx Express (12) matches the shape but its check digit fails; Purolator validates.
        Assert.Equal(
            ["fedex/fedex_12/FedEx Express (12)/False/True", "purolator/purolator_numeric/Purolator (12)/True/True"],
            candidates.Select(c => $"{c.GetProperty("courier").GetString()}/{c.GetProperty("formatId").GetString()}/{c.GetProperty("formatName").GetString()}/{c.GetProperty("checkDigitValid").GetBoolean()}/{c.GetProperty("compliant").GetBoolean()}"));
    }

    [Fact]
    public async Task Spaces_in_the_number_are_ignored_and_the_number_comes_back_as_sent()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var body = await (await client.GetAsync("/v1/tracking-numbers/1Z%205R89%20390357567127", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal("1Z 5R89 390357567127", body.GetProperty("number").GetString());
        var candidate = Assert.Single(body.GetProperty("candidates").EnumerateArray());
        Assert.Equal("ups", candidate.GetProperty("courier").GetString());
        Assert.True(candidate.GetProperty("checkDigitValid").GetBoolean());
    }

    [Fact]
    public async Task An_s10_number_with_a_reserved_service_indicator_is_a_candidate_that_is_not_compliant()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var body = await (await client.GetAsync("/v1/tracking-numbers/JB123456785GB", TestContext.Current.CancellationToken)).JsonAsync();

        var candidate = Assert.Single(body.GetProperty("candidates").EnumerateArray());
        Assert.Equal("s10", candidate.GetProperty("courier").GetString());
        Assert.True(candidate.GetProperty("checkDigitValid").GetBoolean());
        Assert.False(candidate.GetProperty("compliant").GetBoolean());
    }

    [Fact]
    public async Task A_number_no_format_matches_answers_200_with_no_candidates()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.GetAsync("/v1/tracking-numbers/not-a-number", TestContext.Current.CancellationToken);
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("candidates").ValueKind);
        Assert.Equal(0, body.GetProperty("candidates").GetArrayLength());
    }

    [Fact]
    public async Task Without_an_api_key_the_endpoint_answers_401()
    {
        _ = await app.NewTenantClientAsync(); // the server is up
        using var client = app.ClientWithKey(null);

        var response = await client.GetAsync("/v1/tracking-numbers/1Z5R89390357567127", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("auth.missing_key", (await response.JsonAsync()).Code());
    }
}

public sealed class TrackingNumbersApiTestsOnSqlite(SqliteApp app) : TrackingNumbersApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class TrackingNumbersApiTestsOnPostgres(PostgresApp app) : TrackingNumbersApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;

/// <summary><c>waybill detect</c>: no database, so one run is enough.</summary>
public sealed class DetectCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "waybill-detect-tests", Guid.NewGuid().ToString("N"));

    public DetectCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Detect_prints_each_line_in_order_a_tab_and_the_sorted_courier_codes()
    {
        string[] lines =
        [
            "1Z5R89390357567127",
            "hello world",
            "",
            " 7 9 0 5 3 5 3 1 2 3 1 7 ",
            "RB123456785GB",
            "JB123456785GB",
            "7196 9010 7560 0307 7385",
            "331426749957",
        ];
        var file = Path.Combine(_directory, "numbers.txt");
        await File.WriteAllLinesAsync(file, lines, TestContext.Current.CancellationToken);

        var (code, output, error) = await WaybillAsync("detect", file);

        Assert.Equal(0, code);
        Assert.Equal(
            [
                "1Z5R89390357567127\tups",
                "hello world\t",
                "\t",
                " 7 9 0 5 3 5 3 1 2 3 1 7 \tfedex",
                "RB123456785GB\ts10",
                "JB123456785GB\t",
                "7196 9010 7560 0307 7385\tusps",
                "331426749957\tpurolator",
            ],
            output.Split(Environment.NewLine)[..^1]);
        Assert.EndsWith(Environment.NewLine, output, StringComparison.Ordinal);
        Assert.Contains("8 lines", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_of_two_couriers_lists_both_sorted_and_comma_separated()
    {
        // FedEx Express (12): (3*3 + 2*1) mod 11 mod 10 = 0; Purolator (12), Luhn: 2*2 + 3*2 = 10, so 0. Both hold.
        const string number = "300000000020";
        var file = Path.Combine(_directory, "two.txt");
        await File.WriteAllTextAsync(file, number + "\n", TestContext.Current.CancellationToken);

        var (code, output, _) = await WaybillAsync("detect", file);

        Assert.Equal(0, code);
        Assert.Equal($"{number}\tfedex,purolator{Environment.NewLine}", output);
    }

    [Fact]
    public async Task Detect_opens_no_storage()
    {
        var dataDir = Path.Combine(_directory, "never-created");
        var file = Path.Combine(_directory, "one.txt");
        await File.WriteAllTextAsync(file, "RB123456785GB\n", TestContext.Current.CancellationToken);

        var (code, output, _) = await WaybillAsync("detect", file, "--data-dir", dataDir, "--database", "Host=192.0.2.1;Timeout=1");

        Assert.Equal(0, code);
        Assert.Equal($"RB123456785GB\ts10{Environment.NewLine}", output);
        Assert.False(Directory.Exists(dataDir));
    }

    [Fact]
    public async Task A_missing_file_is_an_error_on_standard_error_with_nothing_on_standard_output()
    {
        var (code, output, error) = await WaybillAsync("detect", Path.Combine(_directory, "absent.txt"));

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: no file at", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Out, string Err)> WaybillAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
