using Waybill.Common;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

public sealed class HsNomenclatureTests
{
    private static readonly HsNomenclature Hs = HsNomenclature.Default;

    [Fact]
    public void The_shipped_nomenclature_is_hs_2022_without_comtrades_99_rows()
    {
        Assert.Equal(5612, Hs.SubheadingCount);
        Assert.Equal("Telephone sets; smartphones for cellular or other wireless networks", Hs.Find("8517.13")!.Description);
        Assert.Null(Hs.Find("99"));
        Assert.Null(Hs.Find("999999"));
        Assert.Equal(["85", "8517", "851713"], Hs.PathOf(Hs.Find("851713")!).Select(e => e.Digits));
        Assert.Equal("XVI", Hs.Find("8517.13")!.Section);
        Assert.NotNull(Hs.SectionName("XVI"));
    }

    [Theory]
    [InlineData("cotton t-shirt", "6109.10")]
    [InlineData("Cotton T-Shirts", "6109.10")]
    [InlineData("smartphone", "8517.13")]
    [InlineData("smartphones", "8517.13")]
    [InlineData("ceramic mug", "6912.00")]
    [InlineData("ceramic mugs", "6912.00")]
    [InlineData("horses live pure-bred breeding", "0101.21")]
    [InlineData("laptop", "8471.30")]
    [InlineData("running shoes", "6404.11")]
    [InlineData("leather wallet", "4202.31")]
    [InlineData("wool sweater", "6110.11")]
    [InlineData("power bank", "8507.60")]
    public void A_query_ranks_the_expected_subheading_first(string query, string expected)
    {
        var hits = Hs.Search(query);

        Assert.NotEmpty(hits);
        Assert.True(expected == hits[0].Subheading.Code, $"'{query}': {string.Join(", ", hits.Take(5).Select(h => $"{h.Subheading.Code} {h.Score}"))}");
        Assert.Equal(hits.Select(h => h.Score).OrderDescending(), hits.Select(h => h.Score));
    }

    [Fact]
    public void Goods_named_only_after_other_than_rank_below_the_goods_named()
    {
        var hits = Hs.Search("cotton t-shirt", 5).Select(h => h.Subheading.Code).ToList();

        Assert.True(hits.IndexOf("6109.10") < hits.IndexOf("6109.90"), string.Join(", ", hits));
    }

    [Fact]
    public void A_code_as_query_lists_the_subheadings_under_it_and_nonsense_finds_nothing()
    {
        Assert.Equal(["6109.10", "6109.90"], Hs.Search("6109").Select(h => h.Subheading.Code));
        Assert.Empty(Hs.Search("qwertyuiop zxcvb"));
        Assert.Empty(Hs.Search("   "));
        Assert.Empty(Hs.Search("of the and"));
    }

    [Theory]
    [InlineData("8517.13", true)]
    [InlineData("8517.13.00.00", true)]
    [InlineData("85171300", true)]
    [InlineData("8517.19", false)]
    [InlineData("9999.99", false)]
    public void A_national_code_exists_when_its_first_six_digits_are_a_subheading(string code, bool exists)
    {
        Assert.True(HsCode.TryCreate(code, out var hs, out _));
        Assert.Equal(exists, Hs.Exists(hs));
    }

    [Theory]
    [InlineData("T-shirts", "tshirt")]
    [InlineData("batteries", "battery")]
    [InlineData("glasses", "glass")]
    [InlineData("watches", "watch")]
    [InlineData("men's", "men")]
    public void Words_are_reduced_to_terms(string word, string term) =>
        Assert.Equal(term, HsNomenclature.Terms(word).Single().Term);
}
