using System.Diagnostics;
using Waybill.Common;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

public sealed class DutyTariffsTests
{
    private static readonly DutyTariffs Tariffs = DutyTariffs.Default;

    private static CountryCode C(string code) => CountryCode.Parse(code);

    [Theory]
    [InlineData("US", 16.5)] // HTS 6109.10.00 "Of cotton": 16.5%
    [InlineData("GB", 12)]
    [InlineData("DE", 12)]
    [InlineData("FR", 12)]
    public void Cotton_t_shirts_pay_the_table_rate_of_the_destination(string destination, double percent)
    {
        var rate = Tariffs.RateOf(C(destination), 610910);

        Assert.Equal((decimal)percent, rate.Percent);
        Assert.Contains("6109.10", rate.Explanation, StringComparison.Ordinal);
        Assert.True(Tariffs.HasTable(C(destination)));
    }

    [Fact]
    public void Only_current_exact_rates_are_verified_and_each_names_its_table()
    {
        var us = Tariffs.RateOf(C("US"), 610910);
        var gb = Tariffs.RateOf(C("GB"), 610910);
        var de = Tariffs.RateOf(C("DE"), 610910);

        Assert.True(us.Verified);
        Assert.Equal("US HTS 2026 rev 10", us.Table);
        Assert.False(gb.Verified); // a 2021 snapshot under an HS 2017 code
        Assert.Equal("UK Global Tariff 2021-01-01", gb.Table);
        Assert.Equal(
            "UK Global Tariff of 2021-01-01, subheading 6109.10 (HS 2017 code unchanged in HS 2022): 12% ad valorem, the highest of 1 national line.",
            gb.Explanation);
        Assert.False(de.Verified);
        Assert.Equal("EU CET 2020", de.Table);
    }

    [Fact]
    public void Smartphones_new_in_hs_2022_are_estimated_for_the_uk_and_flagged()
    {
        var rate = Tariffs.RateOf(C("GB"), 851713);

        Assert.False(rate.Verified);
        Assert.Equal("UK Global Tariff 2021-01-01", rate.Table);
        Assert.Contains("estimated", rate.Explanation, StringComparison.Ordinal);
        Assert.Contains("heading 8517", rate.Explanation, StringComparison.Ordinal);
        Assert.Equal(0m, Tariffs.RateOf(C("US"), 851713).Percent); // Smartphones: Free
        Assert.True(Tariffs.RateOf(C("US"), 851713).Verified);
    }

    [Fact]
    public void Ceramic_mugs_in_the_uk_take_the_highest_of_the_subheadings_lines()
    {
        var rate = Tariffs.RateOf(C("GB"), 691200);

        Assert.Equal(8m, rate.Percent); // 4 / 4 / 8 / 6 % by ceramic: the highest
        Assert.Contains("highest of 8 national lines (lowest 4%)", rate.Explanation, StringComparison.Ordinal);
        Assert.Equal(28m, Tariffs.RateOf(C("US"), 691200).Percent); // 6912.00.20.00 hotel or restaurant ware: 28%
    }

    [Fact]
    public void Japan_quotes_the_higher_applied_rate_of_its_lines_and_free_goods_at_zero()
    {
        // 6109.10-010 general 10.9% (WTO rate not applied, in parentheses), 6109.10-020 WTO 7.4%
        var tShirts = Tariffs.RateOf(C("JP"), 610910);
        var smartphones = Tariffs.RateOf(C("JP"), 851713); // 無税

        Assert.Equal(10.9m, tShirts.Percent);
        Assert.True(tShirts.Verified);
        Assert.Equal("Japan tariff 2026-07-09", tShirts.Table);
        Assert.Equal(0m, smartphones.Percent);
    }

    [Fact]
    public void Canada_has_no_table_but_an_override_for_t_shirts_and_its_average_otherwise()
    {
        var tShirts = Tariffs.RateOf(C("CA"), 610910);
        var other = Tariffs.RateOf(C("CA"), 851713);

        Assert.False(Tariffs.HasTable(C("CA")));
        Assert.Equal(18m, tShirts.Percent);
        Assert.False(tShirts.Verified);
        Assert.Equal("estimate", tShirts.Table);
        Assert.Equal(3.8m, other.Percent);
        Assert.StartsWith("No tariff table for CA", other.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_destination_gets_the_flagged_default_and_the_same_object_each_time()
    {
        var rate = Tariffs.RateOf(C("AQ"), 610910);

        Assert.Equal("estimate", rate.Table);
        Assert.False(rate.Verified);
        Assert.Equal(10m, rate.Percent);
        Assert.Same(rate, Tariffs.RateOf(C("AQ"), 851713));
        Assert.Same(Tariffs.RateOf(C("US"), 610910), Tariffs.RateOf(C("US"), 610910));
    }

    [Fact]
    public void Hong_kong_and_singapore_are_near_duty_free()
    {
        Assert.Equal(0m, Tariffs.RateOf(C("HK"), 610910).Percent);
        Assert.Equal(0m, Tariffs.RateOf(C("SG"), 610910).Percent);
    }

    [Fact]
    public void A_lookup_allocates_nothing()
    {
        var us = C("US");
        var de = C("DE");
        var ca = C("CA");
        Tariffs.RateOf(us, 610910);
        Tariffs.RateOf(de, 610910);
        Tariffs.RateOf(ca, 610910);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Tariffs.RateOf(us, 610910);
            Tariffs.RateOf(de, 851713);
            Tariffs.RateOf(ca, 691200);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_malformed_line_fails_the_load_naming_the_file_and_line()
    {
        var directory = CopyOfShippedData();
        var gb = Path.Combine(directory, "rates", "gb.csv");
        var lines = File.ReadAllLines(gb);
        lines[3] = "6109.1,12,12,1,hs2017_unchanged,";
        File.WriteAllLines(gb, lines);

        var bad = Assert.Throws<InvalidDataException>(() => DutyTariffs.Load(Path.Combine(directory, "rates"), Path.Combine(directory, "estimates.json")));

        Assert.Contains("gb.csv:4", bad.Message, StringComparison.Ordinal);
        Assert.Contains("6109.1", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_estimate_without_a_source_or_a_default_is_refused()
    {
        var directory = CopyOfShippedData();
        var rates = Path.Combine(directory, "rates");
        var estimates = Path.Combine(directory, "estimates.json");

        File.WriteAllText(estimates, """{"items": {"CA": {"percent": 3.8, "verified": false, "note": "n"}, "*": {"percent": 10, "verified": false, "source": "s", "note": "n"}}}""");
        Assert.Contains("CA", Assert.Throws<InvalidDataException>(() => DutyTariffs.Load(rates, estimates)).Message, StringComparison.Ordinal);

        File.WriteAllText(estimates, """{"items": {"CA": {"percent": 3.8, "verified": false, "source": "s", "note": "n"}}}""");
        Assert.Contains("\"*\"", Assert.Throws<InvalidDataException>(() => DutyTariffs.Load(rates, estimates)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_rates_are_what_the_generator_writes_today()
    {
        var root = RepositoryRoot();
        var reference = Path.GetFullPath(Path.Combine(root, "..", "shared", "reference", "tariffs"));
        if (!Directory.Exists(reference))
        {
            Assert.Skip($"{reference} missing: ../shared/reference is needed to re-run tools/duty-rates/build.py");
        }
        var output = Directory.CreateTempSubdirectory("waybill-duty-").FullName;
        string stderr;
        int exitCode;
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3")
            {
                ArgumentList = { Path.Combine(root, "tools", "duty-rates", "build.py"), "--reference", reference, "--out", output },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            python.StandardOutput.ReadToEnd();
            stderr = python.StandardError.ReadToEnd();
            python.WaitForExit();
            exitCode = python.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("python3 is missing: it is needed to re-run tools/duty-rates/build.py");
            return;
        }

        Assert.True(exitCode == 0, stderr);
        foreach (var name in new[] { "us.csv", "gb.csv", "eu.csv", "jp.csv" })
        {
            var shipped = File.ReadAllBytes(Path.Combine(root, "data", "customs", "duty-rates", name));
            Assert.True(shipped.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, name))),
                $"data/customs/duty-rates/{name} is not what tools/duty-rates/build.py writes: re-run it and commit the output.");
        }
    }

    private static string CopyOfShippedData()
    {
        var directory = Directory.CreateTempSubdirectory("waybill-duty-").FullName;
        var rates = Directory.CreateDirectory(Path.Combine(directory, "rates")).FullName;
        foreach (var name in new[] { "us.csv", "gb.csv", "eu.csv", "jp.csv" })
        {
            File.Copy(ReferenceData.PathOf("customs", "duty-rates", name), Path.Combine(rates, name));
        }
        File.Copy(ReferenceData.PathOf("customs", "duty-estimates.json"), Path.Combine(directory, "estimates.json"));
        return directory;
    }

    private static string RepositoryRoot() => Waybill.Tests.Support.Repository.Root();
}
