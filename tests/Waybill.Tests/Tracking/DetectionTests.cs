using Waybill.Common;
using Waybill.Tracking.Detection;
using Xunit;

namespace Waybill.Tests.Tracking;

public sealed class DetectionTests
{
    private static readonly CarrierRegistry Registry = CarrierRegistry.Default;

    // ---- Conformance: ../shared/reference/tracking-numbers ----

    [Fact]
    public void Every_corpus_number_is_classified_as_the_data_says()
    {
        var rows = ReadTsv("corpus.tsv", "courier_code\tformat_id\tformat_name\tchecksum\texpected\tnumber");
        var mismatches = new List<string>();
        foreach (var cells in rows)
        {
            var (courier, formatId, formatName, expected, number) = (cells[0], cells[1], cells[2], cells[4], cells[5]);
            Assert.True(expected is "valid" or "invalid", $"Unknown expectation: {string.Join('\t', cells)}");
            // A row naming a format the registry lacks would pass as "invalid" without testing anything.
            Assert.Contains(Registry.Formats, f => f.Courier == courier && f.Id == formatId && f.Name == formatName);

            var candidates = Registry.Candidates(number);
            var candidate = candidates.FirstOrDefault(c => c.Courier == courier && c.FormatId == formatId);
            var reported = candidate is { CheckDigitValid: true, Compliant: true };
            if (reported != (expected == "valid"))
            {
                mismatches.Add($"{courier}/{formatId} '{number}': expected {expected}, got {Describe(candidate)}");
            }
            var fastPath = Registry.Join(Registry.Detect(number));
            var slowPath = string.Join(',', candidates.Where(c => c.CheckDigitValid && c.Compliant).Select(c => c.Courier).Distinct());
            if (fastPath != slowPath)
            {
                mismatches.Add($"'{number}': detect reports '{fastPath}' but the candidates say '{slowPath}'");
            }
        }

        Report(mismatches, rows.Count, "corpus.tsv");
        Assert.True(rows.Count >= 280, $"Only {rows.Count} rows were read from corpus.tsv.");
    }

    [Fact]
    public void The_prefilter_never_hides_a_format_that_matches_and_derived_groups_equal_the_captured_ones()
    {
        var numbers = ReadTsv("corpus.tsv", "courier_code\tformat_id\tformat_name\tchecksum\texpected\tnumber").Select(r => r[5])
            .Concat(ReadTsv("s10-vectors.tsv", "number\texpected\tchecksum_ok_by_our_reference_impl\tsource\tnote").Select(r => r[0]));
        var problems = new List<string>();
        var matches = 0;
        foreach (var number in numbers.Select(CarrierRegistry.RemoveWhitespace))
        {
            foreach (var format in Registry.Formats.Where(f => f.Regex.IsMatch(number)))
            {
                matches++;
                if (!Registry.Admits(format, number))
                {
                    problems.Add($"{format.Id} matches '{number}' but its prefilter refuses it");
                }
                foreach (var (group, captured, derived) in format.Groups(number))
                {
                    if (derived is not null && derived != captured)
                    {
                        problems.Add($"{format.Id} '{number}': {group} captured '{captured}', derived '{derived}'");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(matches > 300, $"Only {matches} format matches were checked.");
    }

    /// <summary>
    /// Rows whose label contradicts the S10 rule the issue states. Both wrap npm s10's check-digit vectors
    /// (calculateCheckDigit) in the letters XX and HK, added by whoever assembled the file ("synthetic wrapper"); X is
    /// not an allowed first letter of a service indicator, as the file's own row XB123456785AB ("non-standard X") says.
    /// What their source vouches for, the check digit, is still asserted.
    /// </summary>
    private static readonly Dictionary<string, string> S10RowsContradictingTheRule = new(StringComparer.Ordinal)
    {
        ["XX966331020HK"] = "checksum-valid-but-noncompliant",
        ["XX761294038HK"] = "checksum-valid-but-noncompliant",
    };

    [Fact]
    public void Every_s10_vector_is_classified_as_the_data_says()
    {
        var rows = ReadTsv("s10-vectors.tsv", "number\texpected\tchecksum_ok_by_our_reference_impl\tsource\tnote");
        var mismatches = new List<string>();
        foreach (var cells in rows)
        {
            var (number, checksumOk) = (cells[0], cells[2] == "True");
            var expected = S10RowsContradictingTheRule.GetValueOrDefault(number, cells[1]);
            Assert.True(expected is "valid" or "invalid" or "checksum-valid-but-noncompliant", $"Unknown expectation: {string.Join('\t', cells)}");
            var candidate = Registry.Candidates(number).FirstOrDefault(c => c.Courier == "s10");
            var reported = candidate is { CheckDigitValid: true, Compliant: true };
            var agrees = expected switch
            {
                "valid" => reported,
                "checksum-valid-but-noncompliant" => candidate is { CheckDigitValid: true, Compliant: false },
                _ => !reported, // invalid: the format must not match (not reported), whatever the reason
            };
            if (!agrees)
            {
                mismatches.Add($"'{number}': expected {expected}, got {Describe(candidate)} ({cells[4]})");
            }
            if (candidate is not null && candidate.CheckDigitValid != checksumOk)
            {
                mismatches.Add($"'{number}': check digit {(candidate.CheckDigitValid ? "holds" : "fails")}, the reference says it {(checksumOk ? "holds" : "fails")}");
            }
            if (Registry.CodesOf(Registry.Detect(number)).Contains("s10") != reported)
            {
                mismatches.Add($"'{number}': detect and the candidates disagree on s10");
            }
        }

        Report(mismatches, rows.Count, "s10-vectors.tsv");
        Assert.True(rows.Count >= 43, $"Only {rows.Count} rows were read from s10-vectors.tsv.");
    }

    [Fact]
    public void The_vendored_courier_data_is_the_reference_data_byte_for_byte()
    {
        var reference = Path.GetDirectoryName(ReferencePath("LICENSE"))!;
        var vendored = ReferenceData.PathOf("carriers");
        var files = Directory.GetFiles(Path.Combine(reference, "couriers"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(files, Directory.GetFiles(vendored, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(reference, "couriers", file!)).SequenceEqual(File.ReadAllBytes(Path.Combine(vendored, file!))), $"{file} differs from the reference");
        }
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "LICENSE")), File.ReadAllText(Path.Combine(vendored, "LICENSE")));
    }

    // ---- Check-digit algorithms (vectors from corpus.tsv, s10-vectors.tsv and the algorithms' own references) ----

    [Theory]
    [InlineData("331881002", "5", true)] // DHL Express 3318810025
    [InlineData("7389105114", "6", true)] // DHL Express 73891051146 (10-digit serial)
    [InlineData("331881001", "0", false)] // 331881001 mod 7 is 4
    [InlineData("331881001", "4", true)]
    public void Mod7_is_the_serial_modulo_7(string serial, string checkDigit, bool holds) =>
        Assert.Equal(holds, CheckDigits.Mod7(serial, checkDigit));

    [Theory]
    [InlineData("5R8939035756712", "7", 1, 2, false, true)] // UPS 1Z5R89390357567127: letters count (code point - 3) mod 10
    [InlineData("111111111111111", "1", 1, 2, false, false)] // UPS 1Z1111111111111111
    [InlineData("007393800054929", "7", 3, 1, false, true)] // Canada Post 0073938000549297
    [InlineData("007393800054929", "2", 3, 1, false, false)]
    [InlineData("940011120620640626078", "7", 3, 1, true, true)] // USPS IMpb 9400111206206406260787
    [InlineData("12", "5", 3, 1, false, true)] // 1*3 + 2*1 = 5, so 5
    [InlineData("12", "3", 3, 1, true, true)] // reversed: 2*3 + 1*1 = 7, so 3
    [InlineData("12", "5", 3, 1, true, false)]
    public void Mod10_weights_alternate_positions_and_may_read_backwards(string serial, string checkDigit, int evens, int odds, bool reverse, bool holds) =>
        Assert.Equal(holds, CheckDigits.Mod10(serial, checkDigit, evens, odds, reverse));

    [Theory]
    [InlineData("47312482", "9", true)] // RR473124829GB
    [InlineData("12345678", "5", true)] // RB123456785GB
    [InlineData("12345678", "6", false)]
    [InlineData("12310000", "0", true)] // 11 - 1 = 10 becomes 0 (AB123100000IE)
    [InlineData("00000000", "5", true)] // 11 - 0 = 11 becomes 5 (AB000000005IE)
    [InlineData("1234567", "5", false)] // seven digits
    public void S10_weights_8_6_4_2_3_5_9_7_modulo_11(string serial, string checkDigit, bool holds) =>
        Assert.Equal(holds, CheckDigits.S10(serial, checkDigit));

    [Theory]
    [InlineData("98657878885", "5", true)] // FedEx Express (12) 986578788855
    [InlineData("99657878885", "5", false)] // 996578788855
    [InlineData("79053531231", "7", true)] // 790535312317
    public void Sum_product_with_weightings_and_modulo_takes_the_data_weights(string serial, string checkDigit, bool holds) =>
        Assert.Equal(holds, CheckDigits.SumProductWithWeightingsAndModulo(serial, checkDigit, [3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1], 11, 10));

    [Fact]
    public void Sum_product_refuses_a_serial_longer_than_its_weights() =>
        Assert.False(CheckDigits.SumProductWithWeightingsAndModulo("1234", "0", [1, 1, 1], 11, 10));

    [Theory]
    [InlineData("09980000020033", "F", true)] // DPD (14) 09 9800 0002 0033 F
    [InlineData("09980000020034", "D", true)] // 0998 0000 0200 34D
    [InlineData("09980000020033", "D", false)] // 09980000020033D
    [InlineData("008182709980000020033350276", "C", true)] // DPD (28)
    [InlineData("008182709980000020033350276", "A", false)]
    public void Mod_37_36_is_iso_7064_with_a_letter_or_digit_check_character(string serial, string checkDigit, bool holds) =>
        Assert.Equal(holds, CheckDigits.Mod37And36(serial, checkDigit));

    [Theory]
    [InlineData("7992739871", "3", true)] // the textbook Luhn number 79927398713
    [InlineData("7992739871", "4", false)]
    [InlineData("32059546393", "8", true)] // Purolator 320595463938
    [InlineData("32059546393", "9", false)] // 320595463939
    [InlineData("8000328037", "9", true)] // Old Dominion Guaranteed Shipment 80003280379
    public void Luhn_is_the_standard_luhn_algorithm(string serial, string checkDigit, bool holds) =>
        Assert.Equal(holds, CheckDigits.Luhn(serial, checkDigit));

    [Fact]
    public void Every_check_digit_algorithm_the_data_names_is_implemented()
    {
        var named = Registry.Formats.Where(f => f.Checksum is not null).Select(f => f.Checksum!.Name).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(["luhn", "mod10", "mod7", "mod_37_36", "s10", "sum_product_with_weightings_and_modulo"], named);
    }

    [Fact]
    public void Data_naming_an_unknown_algorithm_or_rule_fails_to_load_instead_of_passing_numbers()
    {
        var algorithm = Assert.Throws<InvalidDataException>(() => CarrierRegistry.FromJson([Courier("""{"checksum": {"name": "mod11"}}""")]));
        var rule = Assert.Throws<InvalidDataException>(() => CarrierRegistry.FromJson([Courier("""{"length": 12}""")]));
        var lookup = Assert.Throws<InvalidDataException>(() => CarrierRegistry.FromJson([Courier("""{"additional": {"exists": ["Missing"]}}""")]));

        Assert.Contains("mod11", algorithm.Message, StringComparison.Ordinal);
        Assert.Contains("length", rule.Message, StringComparison.Ordinal);
        Assert.Contains("Missing", lookup.Message, StringComparison.Ordinal);
    }

    // ---- serial_number_format.prepend_if ----

    [Fact]
    public void Prepend_if_puts_its_content_before_a_serial_that_matches_its_condition()
    {
        // OnTrac C: "4" goes before a serial that does not start with 4; only then does the check digit hold.
        Assert.False(CheckDigits.Mod10("1103150000187", "9", 1, 2, reverse: false));
        Assert.True(CheckDigits.Mod10("41103150000187", "9", 1, 2, reverse: false));
        Assert.Contains(Registry.Candidates("C11031500001879"), c => c is { FormatId: "ontrac_c", CheckDigitValid: true });
        // USPS legacy: "91" goes before a serial without it.
        Assert.Contains(Registry.Candidates("7196 9010 7560 0307 7385"), c => c is { FormatId: "usps_legacy", CheckDigitValid: true });
    }

    [Theory]
    [InlineData("T1231", true)] // 123 does not start with 9: Luhn over 9123 gives 1
    [InlineData("T1230", false)] // what Luhn over 123 alone would give
    [InlineData("T9126", true)] // 912 starts with 9: nothing is put before it, Luhn over 912 gives 6
    [InlineData("T9127", false)] // what Luhn over 9912 would give
    public void Prepend_if_applies_only_when_its_condition_matches(string number, bool valid)
    {
        var registry = CarrierRegistry.FromJson([Courier(
            """{"checksum": {"name": "luhn"}, "serial_number_format": {"prepend_if": {"matches_regex": "^(?!9).+$", "content": "9"}}}""",
            "T(?<SerialNumber>[0-9]{3})(?<CheckDigit>[0-9])")]);

        var candidate = Assert.Single(registry.Candidates(number));

        Assert.Equal(valid, candidate.CheckDigitValid);
    }

    // ---- validation.additional.exists ----

    [Theory]
    [InlineData("AA1234", true)] // "matches"
    [InlineData("BC1234", true)] // "matches_regex"
    [InlineData("BZ1234", false)] // in neither
    public void Additional_exists_requires_the_lookup_to_know_the_captured_value(string number, bool compliant)
    {
        var registry = CarrierRegistry.FromJson([Courier(
            """{"additional": {"exists": ["Kind"]}}""",
            "(?<Kind>[A-Z]{2})(?<SerialNumber>[0-9]{4})",
            """[{"name": "Kind", "regex_group_name": "Kind", "lookup": [{"matches": "AA", "name": "a"}, {"matches_regex": "B[A-C]", "name": "b"}]}]""")]);

        var candidate = Assert.Single(registry.Candidates(number));

        Assert.True(candidate.CheckDigitValid);
        Assert.Equal(compliant, candidate.Compliant);
        Assert.Equal(compliant, !registry.Detect(number).IsEmpty);
    }

    [Fact]
    public void The_s10_format_requires_its_issuer_to_exist()
    {
        var s10 = Assert.Single(Registry.Formats, f => f.Courier == "s10");

        var exists = Assert.Single(s10.Exists);
        Assert.Equal(("Courier", "CountryCode", true), (exists.Name, exists.GroupName, exists.OrIsoCountry));
    }

    // ---- UPU S10 compliance ----

    [Theory]
    [InlineData('J')]
    [InlineData('K')]
    [InlineData('S')]
    [InlineData('T')]
    [InlineData('W')]
    [InlineData('F')]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('X')]
    [InlineData('Y')]
    public void An_s10_number_with_a_reserved_or_non_standard_service_indicator_is_not_compliant(char first)
    {
        var candidate = Assert.Single(Registry.Candidates($"{first}B123456785GB"));

        Assert.Equal(("s10", true, false), (candidate.Courier, candidate.CheckDigitValid, candidate.Compliant));
        Assert.True(Registry.Detect($"{first}B123456785GB").IsEmpty);
    }

    [Theory]
    [InlineData('A')]
    [InlineData('C')]
    [InlineData('E')]
    [InlineData('H')]
    [InlineData('L')]
    [InlineData('R')]
    [InlineData('U')]
    [InlineData('V')]
    [InlineData('Z')]
    public void An_s10_number_with_an_allowed_service_indicator_is_reported(char first) =>
        Assert.Equal("s10", Registry.Join(Registry.Detect($"{first}A123456785GB")));

    [Fact]
    public void Andorra_issues_s10_numbers_although_s10_json_does_not_list_its_post()
    {
        var s10Json = File.ReadAllText(ReferenceData.PathOf("carriers", "s10.json"));

        Assert.DoesNotContain("\"matches\": \"AD\"", s10Json, StringComparison.Ordinal);
        Assert.Equal("s10", Registry.Join(Registry.Detect("LB123456785AD")));
    }

    [Theory]
    [InlineData("RB123456785XX")]
    [InlineData("RB123456785AB")]
    [InlineData("RB123456785ZZ")]
    public void An_s10_number_whose_issuer_is_no_iso_country_is_refused(string number)
    {
        var candidate = Assert.Single(Registry.Candidates(number));

        Assert.Equal((true, false), (candidate.CheckDigitValid, candidate.Compliant));
        Assert.True(Registry.Detect(number).IsEmpty);
    }

    // ---- Matching the whole number, whitespace removed ----

    [Theory]
    [InlineData("1Z5R89390357567127")]
    [InlineData("1Z 5R8 93903 5756 7127")]
    [InlineData("  1Z5R89390357567127  ")]
    [InlineData("1Z\t5R89390357567127\u00a0")]
    public void Spaces_anywhere_in_a_number_are_ignored(string number) =>
        Assert.Equal("ups", Registry.Join(Registry.Detect(number)));

    [Theory]
    [InlineData("1Z5R89390357567127X")]
    [InlineData("x1Z5R89390357567127")]
    [InlineData("track 1Z5R89390357567127")]
    [InlineData("1z5r89390357567127")] // the data's formats are upper case
    [InlineData("")]
    [InlineData("   ")]
    public void A_format_matches_only_the_whole_number(string number)
    {
        Assert.True(Registry.Detect(number).IsEmpty);
        Assert.Empty(Registry.Candidates(number));
    }

    [Fact]
    public void A_very_long_line_matches_nothing_and_costs_nothing()
    {
        var line = string.Concat(Enumerable.Repeat("1Z5R8939 0357567127 ", 10_000));

        Assert.True(Registry.Detect(line).IsEmpty);
        Assert.Empty(Registry.Candidates(line));
    }

    [Fact]
    public void The_whitespace_the_fast_path_strips_is_what_char_IsWhiteSpace_accepts()
    {
        var all = Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(char.IsWhiteSpace);

        Assert.Equal(all, CarrierRegistry.WhitespaceCharacters.Order());
    }

    [Fact]
    public void A_number_two_couriers_validate_lists_both_sorted()
    {
        var couriers = Registry.Detect("300000000020");

        Assert.Equal("fedex,purolator", Registry.Join(couriers));
        Assert.Equal(["fedex", "purolator"], Registry.CodesOf(couriers));
    }

    // ---- Aliases ----

    [Theory]
    [InlineData("ups", "ups")]
    [InlineData("FedEx", "fedex")]
    [InlineData("Canada Post", "canada_post")]
    [InlineData("canadapost", "canada_post")] // the data file's name
    [InlineData("CANADA_POST", "canada_post")]
    [InlineData("United States Postal Service", "usps")]
    [InlineData("Old Dominion Freight Line", "old_dominion")]
    [InlineData("Spee-Dee Delivery", "speedee")]
    [InlineData("S10 International Standard", "s10")]
    [InlineData("DHL Express", "dhl")] // a format's name
    [InlineData("fedex_ground", "fedex")] // a format's id
    public void A_courier_name_or_alias_resolves_to_its_canonical_code(string name, string code) =>
        Assert.Equal(code, Registry.Canonical(name));

    [Theory]
    [InlineData("Royal Mail")]
    [InlineData("")]
    [InlineData("---")]
    public void An_unknown_name_resolves_to_nothing(string name) =>
        Assert.Null(Registry.Canonical(name));

    [Fact]
    public void Couriers_are_the_data_s_courier_codes_sorted()
    {
        Assert.Equal(18, Registry.Couriers.Count);
        Assert.Equal(Registry.Couriers.Select(c => c.Code).Order(StringComparer.Ordinal), Registry.Couriers.Select(c => c.Code));
        Assert.Contains(new Courier("usps", "United States Postal Service"), Registry.Couriers);
    }

    // ---- The regex analysis behind the prefilter ----

    [Theory]
    [InlineData(@"\s*1\s*Z\s*(?:[A-Z0-9]\s*){16}", "18", "1")]
    [InlineData(@"(?:ab|cde)f?", "2,3,4", "ac")]
    [InlineData(@"\s*(?<SerialNumber>([0-9]\s*){9,10})(?<CheckDigit>([0-9]\s*))", "10,11", "0123456789")]
    [InlineData(@"(?=[0-9])[0-9A-Z\s]{2}\b", "2", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    public void The_analysis_finds_the_lengths_and_first_characters_a_regex_can_match(string pattern, string lengths, string first)
    {
        var shape = PatternShape.Of(pattern);

        Assert.Equal(lengths, string.Join(',', Enumerable.Range(0, 64).Where(shape.MayMatchLength)));
        Assert.Equal(first, string.Concat(Enumerable.Range(32, 96).Select(c => (char)c).Where(shape.MayStartWith)));
    }

    [Theory]
    [InlineData(@"(a)\1")] // backreference
    [InlineData(@"(?i)abc")] // inline option
    [InlineData(@"[a-z-[aeiou]]")] // class subtraction
    [InlineData(@"[0-9-[5]]x")]
    public void A_construct_the_analysis_does_not_model_admits_everything(string pattern) =>
        Assert.Equal(PatternShape.Unknown, PatternShape.Of(pattern));

    [Fact]
    public void A_group_gets_a_derived_span_only_where_every_match_puts_it_in_one_place()
    {
        var fixedEnds = PatternAnalysis.Of(@"\s*(?<A>[0-9]{2})(?<B>[0-9]{3,5})(?<C>[0-9]\s*)");
        var loose = PatternAnalysis.Of(@"(?:(?<D>x)|y)(?<E>z)?(?<F>[a-z]{2,3})[0-9]{1,2}");

        Assert.Equal(new GroupSpan(0, -1, 2, -1), fixedEnds.SpanOf("A"));
        Assert.Equal(new GroupSpan(2, -1, -1, 1), fixedEnds.SpanOf("B")); // from the start to one before the end
        Assert.Equal(new GroupSpan(-1, 1, -1, 0), fixedEnds.SpanOf("C"));
        Assert.Equal("3456", fixedEnds.SpanOf("B")!.Value.Of("1234567").ToString());
        Assert.Null(loose.SpanOf("D")); // in an alternative: maybe not captured
        Assert.Null(loose.SpanOf("E")); // optional
        Assert.Null(loose.SpanOf("F")); // neither end at a fixed distance
        Assert.Null(loose.SpanOf("G")); // absent
    }

    [Theory]
    [InlineData(@"(?:ab|a)(?<G>[01]{1,2})Z?")]
    [InlineData(@"a*?b+?(?<G>1)")]
    [InlineData(@"(?=a)\w{2}(?<!x)\b")]
    [InlineData(@"(?>a|ab)b")]
    [InlineData(@"(?<G>a)\k<G>")]
    [InlineData(@"[^a]{2}(?<G>.)")]
    [InlineData(@"\d{2,}-?")]
    [InlineData(@"a{1,}b{0,1}")]
    [InlineData(@"(?<G>a|b)(?<H>[01])")]
    [InlineData(@"x?(?<G>[ab]{2})(?:Z|01)")]
    [InlineData(@"\s*(?<G>[ab]\s*){2}1")]
    [InlineData(@"(?<G>a)?b")]
    [InlineData(@"(?<G>(?<H>a)b)1")]
    [InlineData(@"(?:(?<G>a)|(?<G>b))1")]
    [InlineData(@"[a\]]b-")]
    [InlineData(@"[]a]1")]
    [InlineData(@"\b1\B1")]
    [InlineData(@"a|")]
    [InlineData(@"(?:)Z")]
    [InlineData(@"[0-9A-Z\s]{2,4}")]
    [InlineData(@"[a-z-[b]]{1,3}")]
    [InlineData(@"(?<G>[01]+)(?<H>[ab]*)Z")]
    [InlineData(@"(?!a)[a-z0-9]{1,5}(?=1|$)")]
    [InlineData(@"\s*Z\s*(?<G>([0-9]\s*){2,3})(?<H>[ab]\s*)")]
    public void The_analysis_admits_everything_the_regex_matches_and_derives_the_spans_it_captures(string pattern)
    {
        var regex = new System.Text.RegularExpressions.Regex($"^(?:{pattern})\\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.ExplicitCapture);
        var analysis = PatternAnalysis.Of(pattern);
        var groups = regex.GetGroupNames().Where(n => n != "0").ToList();
        var random = new Random(20261125);
        const string alphabet = "ab01Zx-] ";
        var matched = 0;
        var problems = new List<string>();
        for (var i = 0; i < 20_000 && problems.Count < 10; i++)
        {
            var text = CarrierRegistry.RemoveWhitespace(new string([.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => alphabet[random.Next(alphabet.Length)])]));
            var match = regex.Match(text);
            if (!match.Success)
            {
                continue;
            }
            matched++;
            if (!analysis.Shape.MayMatchLength(text.Length) || (text.Length > 0 && !analysis.Shape.MayStartWith(text[0])))
            {
                problems.Add($"'{text}' matches but the shape refuses it");
            }
            foreach (var group in groups)
            {
                if (analysis.SpanOf(group) is { } span && (!match.Groups[group].Success || span.Of(text).ToString() != match.Groups[group].Value))
                {
                    problems.Add($"'{text}': {group} captured '{match.Groups[group].Value}', derived '{span.Of(text)}'");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(matched > 0, $"No random string matched {pattern}: the test tested nothing.");
    }

    private static string Courier(string validation, string regex = "T(?<SerialNumber>[0-9]{3})(?<CheckDigit>[0-9])", string additional = "[]") =>
        $$"""{"name": "Test", "courier_code": "test", "tracking_numbers": [{"name": "Test", "id": "test", "regex": {{System.Text.Json.JsonSerializer.Serialize(regex)}}, "validation": {{validation}}, "additional": {{additional}}}]}""";

    private static string Describe(TrackingCandidate? candidate) => candidate is null
        ? "no match"
        : $"a match with check digit {(candidate.CheckDigitValid ? "valid" : "invalid")}, {(candidate.Compliant ? "compliant" : "not compliant")}";

    private static void Report(List<string> mismatches, int rows, string file)
    {
        foreach (var mismatch in mismatches)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(mismatch);
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} disagreements over {rows} rows of {file}:\n{string.Join('\n', mismatches)}");
    }

    /// <summary>The rows of a file of ../shared/reference/tracking-numbers, header checked and dropped.</summary>
    internal static List<string[]> ReadTsv(string name, string header)
    {
        var path = ReferencePath(name);
        var lines = File.ReadAllLines(path);
        Assert.Equal(header, lines[0]);
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'))];
    }

    internal static string ReferencePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Waybill.slnx")))
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "reference", "tracking-numbers", name));
                if (!File.Exists(path))
                {
                    Assert.Skip($"{path} missing: ../shared/reference is needed");
                }
                return path;
            }
        }
        Assert.Skip("The source tree is not above the test binaries, so ../shared/reference is missing: it is needed");
        return "";
    }
}
