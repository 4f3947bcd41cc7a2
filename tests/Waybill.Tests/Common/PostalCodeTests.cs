using Waybill.Common;
using Waybill.Orders;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Common;

public sealed class PostalCodeTests
{
    private static readonly string[] EuropeanUnion =
    [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ];

    [Fact]
    public async Task Every_sample_postal_code_is_accepted_or_refused_as_the_samples_say()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "postal-code-samples.tsv");
        var rows = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal("country\tpostal_code\texpected", rows[0]);
        var mismatches = new List<string>();
        var checkedRows = 0;

        foreach (var row in rows.Skip(1).Where(r => r.Length > 0))
        {
            var cells = row.Split('\t');
            Assert.True(cells.Length == 3, $"Malformed sample row: '{row}'");
            var (country, code, expected) = (cells[0], cells[1], cells[2]);
            Assert.True(expected is "valid" or "invalid", $"Unknown expectation in row: '{row}'");

            var reason = PostalCodes.Check(CountryCode.Parse(country), code);

            if ((reason is null) != (expected == "valid"))
            {
                mismatches.Add($"{country} '{code}': expected {expected}, got {(reason is null ? "accepted" : $"refused ({reason})")}");
            }
            checkedRows++;
        }

        foreach (var mismatch in mismatches)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(mismatch);
        }
        Assert.True(checkedRows >= 1000, $"Only {checkedRows} sample rows were read from {path}.");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checkedRows} samples disagree:\n{string.Join('\n', mismatches)}");
    }

    [Theory]
    [InlineData("HK")]
    [InlineData("AE")]
    public void An_order_to_a_country_without_postal_codes_needs_none(string country)
    {
        var order = Validate(Build.Order(country: country, postalCode: null), out var errors);

        Assert.True(errors.Count == 0, Describe(errors));
        Assert.Null(order?.ShipToPostalCode);
    }

    [Theory]
    [InlineData("HK")]
    [InlineData("AE")]
    public void Hong_Kong_and_the_Emirates_use_no_postal_codes(string country)
    {
        Assert.False(PostalCodes.UsesPostalCodes(CountryCode.Parse(country)));
    }

    [Theory]
    [InlineData("GB")]
    [InlineData("DE")]
    [InlineData("US")]
    [InlineData("IE")]
    public void Countries_with_postal_codes_use_them(string country)
    {
        Assert.True(PostalCodes.UsesPostalCodes(CountryCode.Parse(country)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_GB_order_without_a_postal_code_is_refused(string? postalCode)
    {
        Validate(Build.Order(country: "GB", postalCode: postalCode), out var errors);

        Assert.Equal("shipTo.postalCode", Assert.Single(errors).Key);
    }

    [Theory]
    [InlineData("GB", "SW1A 1CA")] // the inward code never uses C, I, K, M, O or V
    [InlineData("GB", "SW1A1AAA")]
    [InlineData("DE", "1011")]
    [InlineData("US", "9501")]
    [InlineData("NL", "1012AB1")]
    public void An_order_with_a_postal_code_that_does_not_fit_its_country_is_refused(string country, string postalCode)
    {
        Validate(Build.Order(country: country, postalCode: postalCode), out var errors);

        Assert.Equal("shipTo.postalCode", Assert.Single(errors).Key);
    }

    [Theory]
    [InlineData(" sw1a 1aa ", "SW1A 1AA")]
    [InlineData("SW1A 1AA", "SW1A 1AA")]
    [InlineData("sw1a1aa", "SW1A1AA")]
    public void A_GB_postal_code_in_lower_case_or_padded_is_accepted_and_normalised(string postalCode, string stored)
    {
        var order = Validate(Build.Order(country: "GB", postalCode: postalCode), out var errors);

        Assert.True(errors.Count == 0, Describe(errors));
        Assert.Equal(stored, order?.ShipToPostalCode);
    }

    [Fact]
    public void An_IE_order_without_a_postal_code_is_accepted_because_eircodes_are_optional()
    {
        var order = Validate(Build.Order(country: "IE", postalCode: null), out var errors);

        Assert.True(errors.Count == 0, Describe(errors));
        Assert.Null(order?.ShipToPostalCode);
    }

    [Fact]
    public void An_IE_order_with_an_eircode_is_checked_against_its_format()
    {
        var accepted = Validate(Build.Order(country: "IE", postalCode: "a65 f4e2"), out var none);
        Validate(Build.Order(country: "IE", postalCode: "A65-F4E2"), out var refused);

        Assert.True(none.Count == 0, Describe(none));
        Assert.Equal("A65 F4E2", accepted?.ShipToPostalCode);
        Assert.Equal("shipTo.postalCode", Assert.Single(refused).Key);
    }

    [Theory]
    [InlineData("DE", true)]
    [InlineData("GB", true)]
    [InlineData("US", true)]
    [InlineData("IE", false)]
    [InlineData("IL", false)]
    [InlineData("TH", false)]
    public void A_postal_code_is_required_only_where_the_country_requires_one(string country, bool required)
    {
        var reason = PostalCodes.Check(CountryCode.Parse(country), null);

        Assert.Equal(required, reason is not null);
    }

    [Fact]
    public void Every_EU_member_state_has_a_postal_code_format()
    {
        Assert.Equal(27, EuropeanUnion.Distinct().Count());
        var missing = EuropeanUnion.Where(c => !PostalCodes.HasFormat(CountryCode.Parse(c))).ToList();

        Assert.True(missing.Count == 0, $"No postal-code format for: {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("GB")]
    [InlineData("US")]
    [InlineData("CA")]
    [InlineData("AU")]
    [InlineData("NZ")]
    [InlineData("NO")]
    [InlineData("CH")]
    [InlineData("JP")]
    [InlineData("SG")]
    [InlineData("KR")]
    [InlineData("SA")]
    [InlineData("TR")]
    [InlineData("IN")]
    [InlineData("BR")]
    [InlineData("MX")]
    [InlineData("IL")]
    [InlineData("ZA")]
    [InlineData("TH")]
    [InlineData("MY")]
    [InlineData("PH")]
    [InlineData("ID")]
    [InlineData("VN")]
    [InlineData("TW")]
    [InlineData("CN")]
    [InlineData("CL")]
    public void A_busy_destination_has_a_postal_code_format(string country)
    {
        Assert.True(PostalCodes.HasFormat(CountryCode.Parse(country)));
    }

    [Theory]
    [InlineData("HK")]
    [InlineData("AE")]
    public void A_country_without_postal_codes_has_no_format(string country)
    {
        Assert.False(PostalCodes.HasFormat(CountryCode.Parse(country)));
    }

    private static ValidOrder? Validate(OrderInput input, out IReadOnlyDictionary<string, string[]> errors)
    {
        var collected = new ValidationErrors();
        var order = ValidateOrder.Validate(input, collected);
        errors = collected.ToDictionary();
        return order;
    }

    private static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" | ", e.Value)}"));
}
