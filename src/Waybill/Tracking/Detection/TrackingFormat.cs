using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Waybill.Tracking.Detection;

/// <summary>
/// One tracking-number format of the courier data: its regex (anchored to the whole number) and the validation the
/// data gives it. Built by <see cref="CarrierRegistry"/>. The regex is created on first use and interpreted; with
/// <see cref="RegexOptions.Compiled"/> it is compiled in the background once the format has served
/// <see cref="CompileAfterUses"/> numbers (compiling costs a few milliseconds of JIT per format, about what the
/// interpreter loses over a few thousand numbers), so a short input pays nothing for it and a long one runs compiled.
/// </summary>
internal sealed class TrackingFormat
{
    // The groups validation reads, by slot; exists rules take the slots from ExistsSlot on.
    private const int SerialSlot = 0;
    private const int CheckDigitSlot = 1;
    private const int ServiceTypeSlot = 2;
    private const int CountryCodeSlot = 3;
    private const int ExistsSlot = 4;

    private const int CompileAfterUses = 2000;

    private readonly RegexOptions _options;
    private readonly bool _compile;
    private readonly string?[] _slotGroups;

    /// <summary>Where each slot's group lies in every match, when the regex alone says so; then no capture is needed.</summary>
    private readonly GroupSpan[]? _spans;

    private Matcher? _matcher;
    private int _uses;
    private int _compileStarted;

    public TrackingFormat(
        string courier, string id, string name, string pattern, RegexOptions options,
        ChecksumRule? checksum, PrependRule? prepend, IReadOnlyList<ExistsRule> exists, bool s10)
    {
        Courier = courier;
        Id = id;
        Name = name;
        Pattern = pattern;
        _options = options & ~RegexOptions.Compiled;
        _compile = options.HasFlag(RegexOptions.Compiled);
        Checksum = checksum;
        Prepend = prepend;
        Exists = [.. exists];
        IsS10 = s10;
        var analysis = PatternAnalysis.Of(pattern);
        Shape = analysis.Shape;
        _slotGroups =
        [
            checksum is null ? null : "SerialNumber",
            checksum is null ? null : "CheckDigit",
            s10 ? "ServiceType" : null,
            s10 ? "CountryCode" : null,
            .. Exists.Select(e => e.GroupName),
        ];
        NeedsGroups = _slotGroups.Any(g => g is not null);
        var spans = _slotGroups.Select(g => g is null ? new GroupSpan(0, -1, 0, -1) : analysis.SpanOf(g)).ToArray();
        _spans = NeedsGroups && spans.All(s => s is not null) ? [.. spans.Select(s => s!.Value)] : null;
    }

    public string Courier { get; }

    /// <summary>The data's <c>id</c>, or its <c>name</c> where it has no id (as <c>corpus.tsv</c> does).</summary>
    public string Id { get; }

    public string Name { get; }

    /// <summary>The data's regex, joined when the data splits it into lines.</summary>
    public string Pattern { get; }

    public ChecksumRule? Checksum { get; }

    public PrependRule? Prepend { get; }

    public ExistsRule[] Exists { get; }

    /// <summary>UPU S10 compliance applies (service indicator and issuing country).</summary>
    public bool IsS10 { get; }

    /// <summary>Lengths and first characters the regex can match: the prefilter.</summary>
    public PatternShape Shape { get; }

    /// <summary>Validation reads captured groups; otherwise a match is enough.</summary>
    public bool NeedsGroups { get; }

    /// <summary>Validation reads groups that only the regex can capture (their place in the number varies).</summary>
    public bool NeedsCapture => NeedsGroups && _spans is null;

    /// <summary>The regex as it runs now (interpreted, or compiled once compiled).</summary>
    public Regex Regex => (_matcher ??= Build(compiled: false)).Regex;

    /// <summary>
    /// Whether the whole (whitespace-free) number matches, and if so how it validates. <paramref name="text"/> is the
    /// number as a string, needed only when <see cref="NeedsCapture"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Verdict Evaluate(ReadOnlySpan<char> number, string? text, IssuerTable issuers)
    {
        var m = _matcher ??= Build(compiled: false);
        if (_compile && _compileStarted == 0 && ++_uses >= CompileAfterUses)
        {
            CompileInBackground(number.ToString());
        }
        if (_spans is not null || !NeedsGroups)
        {
            if (!m.Regex.IsMatch(number))
            {
                return Verdict.NoMatch;
            }
            return NeedsGroups ? Validate(new Sliced(number, _spans!), issuers) : Verdict.Valid;
        }
        var match = m.Regex.Match(text ?? new string(number));
        return match.Success ? Validate(new Captured(match, m.Groups), issuers) : Verdict.NoMatch;
    }

    /// <summary>The spans the regex captures for each group validation reads (tests compare them with the derived ones).</summary>
    internal IEnumerable<(string Group, string Captured, string? Derived)> Groups(string number)
    {
        var m = _matcher ??= Build(compiled: false);
        var match = m.Regex.Match(number);
        for (var slot = 0; slot < _slotGroups.Length && match.Success; slot++)
        {
            if (_slotGroups[slot] is { } group)
            {
                yield return (group, match.Groups[m.Groups[slot]].Value, _spans is null ? null : _spans[slot].Of(number).ToString());
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Verdict Validate<TGroups>(TGroups groups, IssuerTable issuers)
        where TGroups : IGroups, allows ref struct
    {
        var checkDigitValid = true;
        if (Checksum is not null)
        {
            var serial = groups.Get(SerialSlot);
            var checkDigit = groups.Get(CheckDigitSlot);
            if (Prepend is { } prepend && prepend.Applies(serial))
            {
                Span<char> longer = stackalloc char[prepend.Content.Length + serial.Length];
                prepend.Content.CopyTo(longer);
                serial.CopyTo(longer[prepend.Content.Length..]);
                checkDigitValid = Checksum.Holds(longer, checkDigit);
            }
            else
            {
                checkDigitValid = Checksum.Holds(serial, checkDigit);
            }
        }
        var compliant = true;
        for (var i = 0; i < Exists.Length && compliant; i++)
        {
            compliant = Exists[i].Holds(groups.Get(ExistsSlot + i), issuers);
        }
        if (compliant && IsS10)
        {
            compliant = S10.IsCompliant(groups.Get(ServiceTypeSlot), groups.Get(CountryCodeSlot), issuers);
        }
        return new Verdict(true, checkDigitValid, compliant);
    }

    /// <summary>Creates the regex now, compiled if the registry compiles, and checks the groups validation reads.</summary>
    public void Prepare()
    {
        if (_compile && Interlocked.Exchange(ref _compileStarted, 1) == 0)
        {
            _matcher = Build(compiled: true);
        }
        _matcher ??= Build(compiled: false);
    }

    private void CompileInBackground(string sample)
    {
        if (Interlocked.Exchange(ref _compileStarted, 1) != 0)
        {
            return;
        }
        _ = Task.Run(() =>
        {
            var compiled = Build(compiled: true);
            // The generated code is JIT-compiled on its first call: make that call here, not on the caller's thread.
            compiled.Regex.IsMatch(sample);
            compiled.Regex.Match(sample);
            Volatile.Write(ref _matcher, compiled);
        });
    }

    private Matcher Build(bool compiled)
    {
        // Anchored: a format matches only the whole number. ExplicitCapture: only the named groups are captured.
        var options = _options | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | (compiled ? RegexOptions.Compiled : RegexOptions.None);
        var regex = new Regex($"^(?:{Pattern})\\z", options);
        var groups = _slotGroups.Select(name =>
        {
            if (name is null)
            {
                return -1;
            }
            var number = regex.GroupNumberFromName(name);
            return number >= 0 ? number : throw new InvalidDataException($"{Courier}/{Id}: the regex has no group {name}, which its validation needs.");
        }).ToArray();
        return new Matcher(regex, groups);
    }

    private sealed record Matcher(Regex Regex, int[] Groups);

    private interface IGroups
    {
        ReadOnlySpan<char> Get(int slot);
    }

    /// <summary>Groups cut from the number where the regex says they lie: no capture, no allocation.</summary>
    private readonly ref struct Sliced : IGroups
    {
        private readonly ReadOnlySpan<char> _number;
        private readonly GroupSpan[] _spans;

        public Sliced(ReadOnlySpan<char> number, GroupSpan[] spans)
        {
            _number = number;
            _spans = spans;
        }

        public ReadOnlySpan<char> Get(int slot) => _spans[slot].Of(_number);
    }

    private readonly struct Captured(Match match, int[] groups) : IGroups
    {
        public ReadOnlySpan<char> Get(int slot) => match.Groups[groups[slot]].ValueSpan;
    }
}

/// <summary>How a number fared against one format.</summary>
internal readonly record struct Verdict(bool Matched, bool CheckDigitValid, bool Compliant)
{
    public static readonly Verdict NoMatch;

    public static readonly Verdict Valid = new(true, true, true);

    public bool Reported => Matched && CheckDigitValid && Compliant;
}

/// <summary>
/// <c>validation.serial_number_format.prepend_if</c>: when the serial matches <c>matches_regex</c>, <c>content</c> is
/// put in front of it before the check digit is computed.
/// </summary>
internal sealed class PrependRule(string pattern, string content)
{
    private readonly Regex _regex = new(pattern, RegexOptions.CultureInvariant);

    public string Pattern => pattern;

    public string Content => content;

    public bool Applies(ReadOnlySpan<char> serial) => _regex.IsMatch(serial);
}

/// <summary>
/// <c>validation.additional.exists</c>: the named <c>additional</c> lookup must find the value its group captured,
/// by <c>matches</c> (equal) or <c>matches_regex</c> (whole value). For S10's issuer, every ISO 3166-1 code also
/// counts: <c>s10.json</c> lists the known posts but not all of them (AD is missing).
/// </summary>
internal sealed class ExistsRule(string name, string groupName, IEnumerable<string> matches, IEnumerable<string> patterns, bool orIsoCountry)
{
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _exact =
        matches.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly Regex[] _patterns = [.. patterns.Select(p => new Regex($"^(?:{p})\\z", RegexOptions.CultureInvariant))];

    public string Name => name;

    public string GroupName => groupName;

    public bool OrIsoCountry => orIsoCountry;

    public bool Holds(ReadOnlySpan<char> value, IssuerTable issuers)
    {
        if (_exact.Contains(value) || (orIsoCountry && issuers.IsCountry(value)))
        {
            return true;
        }
        foreach (var pattern in _patterns)
        {
            if (pattern.IsMatch(value))
            {
                return true;
            }
        }
        return false;
    }
}
