using System.Text.RegularExpressions;
using Waybill.Cli;
using Xunit;

namespace Waybill.Tests.Cli;

/// <summary><c>waybill simulate</c>: the same seed prints the same summary, but for its timing lines.</summary>
public sealed partial class SimulateCommandTests
{
    private static async Task<(int Code, string Out, string Err)> WaybillAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The summary without the lines that measure the run (elapsed time and rates).</summary>
    private static string Stable(string output) => string.Join('\n', output.Split('\n')
        .Where(l => !l.Contains("elapsed", StringComparison.Ordinal) && !l.Contains("/s", StringComparison.Ordinal)));

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "waybill-tests", "simulate-" + Guid.NewGuid().ToString("N"));

    [GeneratedRegex(@"^\s+delivered\s+[1-9]\d*\s", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex DeliveredLine();

    [GeneratedRegex(@"^events: (\d+) sent, (\d+) ingested, 0 duplicates, 0 unmatched, 0 rejected$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex EventsLine();

    [Fact]
    public async Task The_same_seed_prints_the_same_summary_but_for_its_timings()
    {
        var first = await WaybillAsync("simulate", "--orders", "60", "--seed", "5");
        var second = await WaybillAsync("simulate", "--orders", "60", "--seed", "5");

        Assert.True(first.Code == 0, first.Err);
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(Stable(first.Out), Stable(second.Out));
        Assert.Contains("simulation: 60 orders, seed 5", first.Out, StringComparison.Ordinal);
        Assert.Contains("final status:", first.Out, StringComparison.Ordinal);
        Assert.Matches(DeliveredLine(), first.Out);
        Assert.Contains("transit days per lane", first.Out, StringComparison.Ordinal);
        var events = EventsLine().Match(first.Out);
        Assert.True(events.Success, first.Out);
        Assert.Equal(events.Groups[1].Value, events.Groups[2].Value); // every event sent was ingested
        Assert.Contains("elapsed", first.Out, StringComparison.Ordinal); // what Stable leaves out is there
        Assert.NotEqual(Stable(first.Out), first.Out);
    }

    [Fact]
    public async Task The_summary_names_no_path_and_the_temporary_database_is_deleted()
    {
        var temp = Path.GetTempPath();
        var before = Directory.GetDirectories(temp, "waybill-simulate-*").ToHashSet(StringComparer.Ordinal);

        var (code, output, error) = await WaybillAsync("simulate", "--orders", "20", "--seed", "9");

        Assert.True(code == 0, error);
        Assert.DoesNotContain("/tmp", output, StringComparison.Ordinal);
        Assert.DoesNotContain(temp.TrimEnd(Path.DirectorySeparatorChar), output, StringComparison.Ordinal);
        Assert.DoesNotContain("waybill-simulate-", output, StringComparison.Ordinal);
        Assert.Contains("a temporary SQLite database", error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", error, StringComparison.Ordinal);
        Assert.Subset(before, Directory.GetDirectories(temp, "waybill-simulate-*").ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Another_seed_prints_another_summary()
    {
        var five = await WaybillAsync("simulate", "--orders", "60", "--seed", "5");
        var six = await WaybillAsync("simulate", "--orders", "60", "--seed", "6");

        Assert.Equal((0, 0), (five.Code, six.Code));
        Assert.NotEqual(Stable(five.Out).Replace("seed 5", "seed 6", StringComparison.Ordinal), Stable(six.Out));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("10000001")]
    public async Task An_order_count_out_of_range_exits_2_with_an_error(string orders)
    {
        var (code, output, error) = await WaybillAsync("simulate", "--orders", orders);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: --orders must be 1 to", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Days_out_of_range_exit_2_with_an_error()
    {
        var (code, output, error) = await WaybillAsync("simulate", "--orders", "5", "--days", "0");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: --days must be 1 to", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_dir_keeps_the_database_and_a_second_run_there_prints_the_same_summary()
    {
        var directory = NewDirectory();
        try
        {
            var first = await WaybillAsync("simulate", "--orders", "60", "--seed", "5", "--data-dir", directory);
            var second = await WaybillAsync("simulate", "--orders", "60", "--seed", "5", "--data-dir", directory);
            var temporary = await WaybillAsync("simulate", "--orders", "60", "--seed", "5");
            var tenants = await WaybillAsync("tenants", "list", "--data-dir", directory);

            Assert.True(first.Code == 0, first.Err);
            Assert.True(second.Code == 0, second.Err);
            Assert.True(File.Exists(Path.Combine(directory, "waybill.db")));
            Assert.Equal(Stable(first.Out), Stable(second.Out));
            Assert.Equal(Stable(temporary.Out), Stable(first.Out));
            Assert.DoesNotContain(directory, first.Out, StringComparison.Ordinal);
            Assert.Single(tenants.Out.Split('\n'), l => l.StartsWith("simulation\t", StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS's temp cleaning.
            }
        }
    }
}
