using System.Globalization;
using Waybill.Common;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

public sealed class GoodsRestrictionsTests
{
    private const int ChewingGum = 170410;
    private const int ECigarettes = 854340;

    private static CountryCode C(string code) => CountryCode.Parse(code);

    private static DateOnly D(string date) => DateOnly.Parse(date, CultureInfo.InvariantCulture);

    [Fact]
    public void Chewing_gum_to_singapore_is_prohibited_and_to_the_uk_it_is_not()
    {
        var gum = GoodsRestrictions.Default.ProhibitedOn(C("SG"), D("2026-12-04"), ChewingGum);

        Assert.Equal("sg-chewing-gum", gum?.Id);
        Assert.Null(GoodsRestrictions.Default.ProhibitedOn(C("GB"), D("2026-12-04"), ChewingGum));
        Assert.Null(GoodsRestrictions.Default.RestrictedOn(C("GB"), D("2026-12-04"), ChewingGum));
    }

    [Theory]
    [InlineData("SG", "sg-e-vaporisers")]
    [InlineData("TH", "th-e-cigarettes")]
    [InlineData("IN", "in-e-cigarettes")]
    [InlineData("HK", "hk-alternative-smoking-products")]
    public void E_cigarettes_are_prohibited_where_the_law_bans_their_import(string destination, string id) =>
        Assert.Equal(id, GoodsRestrictions.Default.ProhibitedOn(C(destination), D("2026-12-04"), ECigarettes)?.Id);

    [Fact]
    public void A_date_before_an_entry_starts_finds_nothing()
    {
        Assert.Null(GoodsRestrictions.Default.ProhibitedOn(C("IN"), D("2019-09-17"), ECigarettes));
        Assert.NotNull(GoodsRestrictions.Default.ProhibitedOn(C("IN"), D("2019-09-18"), ECigarettes));
        Assert.Null(GoodsRestrictions.Default.ProhibitedOn(C("HK"), D("2022-04-29"), ECigarettes));
    }

    [Fact]
    public void Australian_vapes_are_restricted_not_prohibited_and_the_disposable_ban_came_first()
    {
        Assert.Null(GoodsRestrictions.Default.ProhibitedOn(C("AU"), D("2026-12-04"), ECigarettes));
        Assert.Null(GoodsRestrictions.Default.RestrictedOn(C("AU"), D("2023-12-31"), ECigarettes));
        Assert.Equal("au-disposable-vapes", GoodsRestrictions.Default.RestrictedOn(C("AU"), D("2024-02-29"), ECigarettes)?.Id);
        Assert.Equal("au-vapes", GoodsRestrictions.Default.RestrictedOn(C("AU"), D("2024-03-01"), ECigarettes)?.Id);
    }

    [Fact]
    public void A_restriction_by_chapter_matches_a_subheading_in_it()
    {
        // jp-arms lists chapter 93; swords (9307.00) are in no narrower entry.
        Assert.Equal("jp-arms", GoodsRestrictions.Default.RestrictedOn(C("JP"), D("2026-12-04"), 930700)?.Id);
        Assert.Equal("jp-handguns", GoodsRestrictions.Default.ProhibitedOn(C("JP"), D("2026-12-04"), 930200)?.Id);
        Assert.Null(GoodsRestrictions.Default.RestrictedOn(C("JP"), D("2026-12-04"), 940000 + 3010));
    }

    [Fact]
    public void Ivory_is_restricted_everywhere_by_cites_and_the_union_and_the_uk_rules_come_first()
    {
        const int Ivory = 50710;

        Assert.Equal("cites-ivory", GoodsRestrictions.Default.RestrictedOn(C("US"), D("2026-12-04"), Ivory)?.Id);
        Assert.Equal("eu-ivory", GoodsRestrictions.Default.RestrictedOn(C("FR"), D("2026-12-04"), Ivory)?.Id);
        Assert.Equal("cites-ivory", GoodsRestrictions.Default.RestrictedOn(C("FR"), D("2021-12-31"), Ivory)?.Id);
        Assert.Equal("gb-ivory", GoodsRestrictions.Default.ProhibitedOn(C("GB"), D("2022-06-06"), Ivory)?.Id);
        Assert.Null(GoodsRestrictions.Default.ProhibitedOn(C("GB"), D("2022-06-05"), Ivory));
    }

    [Fact]
    public void The_shipped_file_loads_and_every_hs_prefix_exists_in_hs_2022()
    {
        var items = GoodsRestrictions.Default.Items;

        Assert.InRange(items.Count, 20, 40);
        Assert.All(items.SelectMany(i => i.Hs), hs => Assert.NotNull(HsNomenclature.Default.Find(hs)));
        Assert.All(items, i => Assert.False(string.IsNullOrWhiteSpace(i.Source), i.Id));
        Assert.All(items.Where(i => !i.Verified), i => Assert.False(string.IsNullOrWhiteSpace(i.Note), i.Id));
        Assert.DoesNotContain(items, i => i.Where == "KP");
    }

    [Fact]
    public void A_lookup_does_not_allocate()
    {
        var restrictions = GoodsRestrictions.Default;
        var sg = C("SG");
        var fr = C("FR");
        var date = D("2026-12-04");
        restrictions.ProhibitedOn(sg, date, ChewingGum);
        restrictions.RestrictedOn(fr, date, 50710);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            restrictions.ProhibitedOn(sg, date, ChewingGum);
            restrictions.RestrictedOn(fr, date, 50710 + i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "prohibited", "hs": ["1704.10"], "description": "d", "from": "2020-01-01", "source": "s", "verified": true, "colour": "red"}]}""", "colour")]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "banned", "hs": ["1704.10"], "description": "d", "from": "2020-01-01", "source": "s", "verified": true}]}""", "x: kind 'banned'")]
    [InlineData("""{"items": [{"id": "x", "where": "ZZ", "kind": "prohibited", "hs": ["1704.10"], "description": "d", "from": "2020-01-01", "source": "s", "verified": true}]}""", "x: where 'ZZ'")]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "prohibited", "hs": ["1704.19"], "description": "d", "from": "2020-01-01", "source": "s", "verified": true}]}""", "x: hs '1704.19'")]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "prohibited", "hs": ["170"], "description": "d", "from": "2020-01-01", "source": "s", "verified": true}]}""", "x: hs '170'")]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "prohibited", "hs": ["1704.10"], "description": "d", "from": "2020-13-01", "source": "s", "verified": true}]}""", "x: from '2020-13-01'")]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "prohibited", "hs": ["1704.10"], "description": "d", "from": "2020-01-01", "to": "2019-01-01", "source": "s", "verified": true}]}""", "x: it ends")]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "prohibited", "hs": ["1704.10"], "description": "d", "from": "2020-01-01", "verified": true}]}""", "x: a source")]
    [InlineData("""{"items": [{"id": "x", "where": "SG", "kind": "prohibited", "hs": ["1704.10"], "description": "d", "from": "2020-01-01", "source": "s", "verified": false}]}""", "x: an unverified entry")]
    public void A_malformed_file_is_refused_naming_the_entry_and_the_problem(string json, string named)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("waybill-goods-").FullName, "goods-restrictions.json");
        File.WriteAllText(file, json);

        var ex = Assert.Throws<InvalidDataException>(() => GoodsRestrictions.Load(file));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_of_an_entry_is_named_at_once()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("waybill-goods-").FullName, "goods-restrictions.json");
        File.WriteAllText(file, """{"items": [{"id": "bad", "where": "ZZ", "kind": "banned", "hs": ["9999"], "from": "x", "verified": false}]}""");

        var message = Assert.Throws<InvalidDataException>(() => GoodsRestrictions.Load(file)).Message;

        Assert.All(["where 'ZZ'", "kind 'banned'", "hs '9999'", "description", "from 'x'", "a source", "unverified"], part => Assert.Contains(part, message, StringComparison.Ordinal));
    }
}
