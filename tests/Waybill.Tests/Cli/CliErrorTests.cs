using Waybill.Cli;
using Xunit;

namespace Waybill.Tests.Cli;

/// <summary>Bad options end in a message and a non-zero exit, never a stack trace.</summary>
public sealed class CliErrorTests
{
    private static async Task<(int Code, string Out, string Err)> WaybillAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("simulate --orders abc", "Cannot parse argument 'abc'", "waybill simulate --help")]
    [InlineData("simulate", "Option '--orders' is required", "waybill simulate --help")]
    [InlineData("nonsense", "Unrecognized command or argument 'nonsense'", "waybill --help")]
    [InlineData("orders import --tenant acme", "Required argument 'FILE' missing", "waybill orders import --help")]
    public async Task Bad_usage_exits_2_with_the_error_and_where_help_is_on_standard_error_only(string args, string message, string help)
    {
        var (code, output, error) = await WaybillAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains($"See '{help}'.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_option_that_is_neither_a_url_nor_a_connection_string_exits_2()
    {
        var (code, output, error) = await WaybillAsync("tenants", "list", "--database", "Host=;;;=");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: --database is neither", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_dir_that_is_a_file_exits_1_with_a_message()
    {
        var file = Path.GetTempFileName();
        try
        {
            var (code, _, error) = await WaybillAsync("tenants", "list", "--data-dir", file);

            Assert.Equal(1, code);
            Assert.Contains("already exists", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_unreachable_database_exits_1_with_a_message()
    {
        var (code, _, error) = await WaybillAsync("tenants", "list", "--database", "postgres://nobody:secret@127.0.0.1:1/nowhere");

        Assert.Equal(1, code);
        Assert.Contains("Failed to connect", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_without_its_arguments_exits_non_zero()
    {
        var (code, _, _) = await WaybillAsync("tenants", "add");

        Assert.NotEqual(0, code);
    }
}
