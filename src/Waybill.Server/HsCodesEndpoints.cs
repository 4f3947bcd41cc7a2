using Microsoft.AspNetCore.Http.HttpResults;
using Waybill.Customs;
using Waybill.Server.Http;

namespace Waybill.Server;

/// <summary>One search hit: a subheading, its chapter and heading, and how well it matched (higher is better).</summary>
internal sealed record HsCodeHitView(string Code, string Description, string Chapter, string Heading, double Score);

internal sealed record HsCodeSearchView(IReadOnlyList<HsCodeHitView> Items);

internal sealed record HsPathStepView(string Code, string Level, string Description);

/// <summary>A checked code: what it names and where it sits (section, chapter, heading, subheading).</summary>
internal sealed record HsCodeView(string Code, string Level, string Description, bool National, string Section, string? SectionName, IReadOnlyList<HsPathStepView> Path);

internal static class HsCodesEndpoints
{
    public const int MaxLimit = 50;

    public static void MapHsCodes(this IEndpointRouteBuilder v1)
    {
        var codes = v1.MapGroup("/hs-codes").WithTags("Customs");

        codes.MapGet("/", Results<Ok<HsCodeSearchView>, ProblemHttpResult> (string? q, int? limit) =>
            {
                if (string.IsNullOrWhiteSpace(q))
                {
                    return Problems.Of(400, "customs.query_missing", "Give the goods in words (q=cotton t-shirt) or a code (q=6109).",
                        new Dictionary<string, string[]> { ["q"] = ["This parameter is required."] });
                }
                if (q.Length > 200)
                {
                    return Problems.Of(400, "customs.query_too_long", "A query has at most 200 characters.",
                        new Dictionary<string, string[]> { ["q"] = ["At most 200 characters."] });
                }
                if (limit is < 1 or > MaxLimit)
                {
                    return Problems.Of(400, "customs.limit_invalid", $"limit is 1 to {MaxLimit}.",
                        new Dictionary<string, string[]> { ["limit"] = [$"1 to {MaxLimit}."] });
                }
                var hits = HsNomenclature.Default.Search(q, limit ?? 10);
                return TypedResults.Ok(new HsCodeSearchView([.. hits.Select(h => new HsCodeHitView(
                    h.Subheading.Code, h.Subheading.Description, h.Subheading.Digits[..2], h.Subheading.Digits[..4], h.Score))]));
            })
            .WithSummary("Searches the HS 2022 nomenclature: subheadings ranked by relevance to the words of q (plurals and everyday words handled), or listed under a code.")
            .WithDescription("Answers {items[{code, description, chapter, heading, score}]}, best first; limit 1 to 50, default 10. An empty list when nothing matches.")
            .ProducesProblem(400);

        codes.MapGet("/{code}", Results<Ok<HsCodeView>, ProblemHttpResult> (string code) =>
            {
                if (HsNomenclature.Digits(code) is not { Length: 2 or 4 or 6 or 8 or 10 } digits)
                {
                    return Problems.Of(400, "customs.hs_code_invalid",
                        $"'{code}' is not an HS code: a chapter (2 digits), heading (4), subheading (6, e.g. 6109.10) or national code (8 or 10).");
                }
                var hs = HsNomenclature.Default;
                var entry = hs.Find(digits.Length > 6 ? digits[..6] : digits);
                if (entry is null)
                {
                    return Problems.Of(404, "customs.hs_code_unknown",
                        digits.Length > 6
                            ? $"{code}: its first six digits {digits[..4]}.{digits[4..6]} are not an HS 2022 subheading."
                            : $"{code} is not in the HS 2022 nomenclature; GET /v1/hs-codes?q=... searches it.");
                }
                var national = digits.Length > 6;
                var path = hs.PathOf(entry).Select(e => new HsPathStepView(e.Code, LevelOf(e.Level), e.Description)).ToList();
                return TypedResults.Ok(new HsCodeView(
                    national ? $"{digits[..4]}.{digits[4..6]}.{digits[6..]}" : entry.Code,
                    national ? "national" : LevelOf(entry.Level),
                    entry.Description,
                    national,
                    entry.Section,
                    hs.SectionName(entry.Section),
                    path));
            })
            .WithSummary("Checks an HS code and shows its path: section, chapter, heading, subheading. A national code (8 or 10 digits) exists when its first six digits are an HS 2022 subheading.")
            .ProducesProblem(400).ProducesProblem(404);
    }

    private static string LevelOf(HsLevel level) => level switch
    {
        HsLevel.Chapter => "chapter",
        HsLevel.Heading => "heading",
        _ => "subheading",
    };
}
