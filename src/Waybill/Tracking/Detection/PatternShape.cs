using System.Globalization;
using System.Numerics;

namespace Waybill.Tracking.Detection;

/// <summary>
/// What a format's regex can match once whitespace is removed from the input: the possible lengths and the possible
/// first characters. Derived from the regex text itself, so the data stays the only source of truth; it over-approximates
/// (a shape admits every string the regex can match, and maybe more), which is what a prefilter needs.
/// </summary>
/// <param name="Lengths">Bit n set: the regex may match n non-whitespace characters (n &lt; 64).</param>
/// <param name="Longer">The regex may match 64 characters or more.</param>
/// <param name="FirstAscii">Bit c set: the match may start with ASCII character c.</param>
/// <param name="FirstNonAscii">The match may start with a character above U+007F.</param>
internal readonly record struct PatternShape(ulong Lengths, bool Longer, UInt128 FirstAscii, bool FirstNonAscii)
{
    public static readonly PatternShape Unknown = new(ulong.MaxValue, true, UInt128.MaxValue, true);

    /// <summary>Matches only the empty string (anchors, lookarounds, whitespace that the input no longer holds).</summary>
    public static readonly PatternShape Empty = new(1, false, UInt128.Zero, false);

    public static readonly PatternShape Nothing = new(0, false, UInt128.Zero, false);

    public bool Nullable => (Lengths & 1) != 0;

    /// <summary>The largest length below 64 the regex may match, or -1 when none.</summary>
    public int MaxLength => Lengths == 0 ? -1 : 63 - BitOperations.LeadingZeroCount(Lengths);

    /// <summary>The one length every match has, or -1.</summary>
    public int FixedLength => !Longer && BitOperations.IsPow2(Lengths) ? BitOperations.TrailingZeroCount(Lengths) : -1;

    public bool MayMatchLength(int length) => length < 64 ? (Lengths & (1UL << length)) != 0 : Longer;

    public bool MayStartWith(char c) => c < 128 ? (FirstAscii & (UInt128.One << c)) != UInt128.Zero : FirstNonAscii;

    /// <summary>The shape of a .NET regex, or <see cref="Unknown"/> when it uses a construct the analysis does not model.</summary>
    public static PatternShape Of(string pattern) => PatternAnalysis.Of(pattern).Shape;

    public static PatternShape Union(PatternShape a, PatternShape b) =>
        new(a.Lengths | b.Lengths, a.Longer || b.Longer, a.FirstAscii | b.FirstAscii, a.FirstNonAscii || b.FirstNonAscii);

    public static PatternShape Concat(PatternShape a, PatternShape b)
    {
        ulong lengths = 0;
        var longer = (a.Longer && (b.Lengths != 0 || b.Longer)) || (b.Longer && (a.Lengths != 0 || a.Longer));
        for (var rest = a.Lengths; rest != 0; rest &= rest - 1)
        {
            var k = BitOperations.TrailingZeroCount(rest);
            lengths |= b.Lengths << k;
            if (k > 0 && (b.Lengths >> (64 - k)) != 0)
            {
                longer = true;
            }
        }
        return new(lengths, longer, a.FirstAscii | (a.Nullable ? b.FirstAscii : UInt128.Zero), a.FirstNonAscii || (a.Nullable && b.FirstNonAscii));
    }

    /// <summary><paramref name="x"/> repeated <paramref name="min"/> to <paramref name="max"/> times (max -1: unbounded).</summary>
    public static PatternShape Repeat(PatternShape x, int min, int max)
    {
        const int Cap = 200;
        if (max == 0)
        {
            return Empty;
        }
        if (min > Cap)
        {
            return Unknown;
        }
        var result = min == 0 ? Empty : Nothing;
        var power = Empty;
        var upTo = max < 0 ? Cap : Math.Min(max, Cap);
        for (var k = 1; k <= upTo; k++)
        {
            var next = Concat(power, x);
            if (k >= min)
            {
                result = Union(result, next);
            }
            var stable = next == power;
            power = next;
            if (k >= min && (stable || (power.Lengths == 0 && power.Longer)))
            {
                break; // further repetitions add nothing new below 64
            }
        }
        if ((max < 0 || max > Cap) && ((x.Lengths & ~1UL) != 0 || x.Longer))
        {
            result = result with { Longer = true };
        }
        return result;
    }

    /// <summary>One character from a set; whitespace is dropped, as the input has none left.</summary>
    public static PatternShape Single(UInt128 ascii, bool nonAscii)
    {
        ascii &= ~PatternAnalysis.AsciiWhitespace;
        return ascii == UInt128.Zero && !nonAscii ? Empty : new(2, false, ascii, nonAscii);
    }
}

/// <summary>
/// Where a named group lies in every match of a whitespace-free number: its start and end, each counted from the
/// start or from the end of the number (-1 where not). Known when the group is captured exactly once in every match
/// and what precedes or follows each of its ends has one fixed length.
/// </summary>
internal readonly record struct GroupSpan(int StartFromStart, int StartFromEnd, int EndFromStart, int EndFromEnd)
{
    public ReadOnlySpan<char> Of(ReadOnlySpan<char> number)
    {
        var start = StartFromStart >= 0 ? StartFromStart : number.Length - StartFromEnd;
        var end = EndFromStart >= 0 ? EndFromStart : number.Length - EndFromEnd;
        return number[start..end];
    }
}

/// <summary>
/// A regex read into a small syntax tree, to derive its <see cref="PatternShape"/> and the <see cref="GroupSpan"/> of
/// its named groups. Constructs the analysis does not know make the shape <see cref="PatternShape.Unknown"/> (admit
/// everything) and leave every group without a span (capture with the regex instead): never wrong, only slower.
/// </summary>
internal sealed class PatternAnalysis
{
    public static readonly UInt128 AsciiWhitespace = Bits('\t', '\r') | Bit(' ');

    private static readonly UInt128 AsciiDigits = Bits('0', '9');
    private static readonly UInt128 AsciiWord = Bits('0', '9') | Bits('A', 'Z') | Bits('a', 'z') | Bit('_');

    private readonly Node? _root;

    private PatternAnalysis(Node? root)
    {
        _root = root;
        Shape = root?.Shape ?? PatternShape.Unknown;
    }

    public PatternShape Shape { get; }

    public static PatternAnalysis Of(string pattern)
    {
        try
        {
            var parser = new Parser(pattern);
            var root = parser.Alternation();
            return new PatternAnalysis(parser.AtEnd ? root : null);
        }
        catch (NotSupportedException)
        {
            return new PatternAnalysis(null);
        }
    }

    /// <summary>Where the named group lies in every match, when that follows from the regex alone.</summary>
    public GroupSpan? SpanOf(string group)
    {
        if (_root is null || _root.Count(group) != 1 || !_root.Find(group, out var before, out var body, out var after))
        {
            return null;
        }
        var span = new GroupSpan(
            before.FixedLength,
            PatternShape.Concat(body, after).FixedLength,
            PatternShape.Concat(before, body).FixedLength,
            after.FixedLength);
        return (span.StartFromStart >= 0 || span.StartFromEnd >= 0) && (span.EndFromStart >= 0 || span.EndFromEnd >= 0) ? span : null;
    }

    private static UInt128 Bit(char c) => UInt128.One << c;

    private static UInt128 Bits(char from, char to)
    {
        var bits = UInt128.Zero;
        for (var c = from; c <= to && c < 128; c++)
        {
            bits |= Bit(c);
        }
        return bits;
    }

    private abstract class Node
    {
        public abstract PatternShape Shape { get; }

        /// <summary>How many groups of this name the node holds.</summary>
        public abstract int Count(string group);

        /// <summary>
        /// Finds the group on a path of sequences and groups only (so it is captured exactly once per match), with
        /// the shapes of what precedes and follows it within this node.
        /// </summary>
        public abstract bool Find(string group, out PatternShape before, out PatternShape body, out PatternShape after);
    }

    /// <summary>One character class, or a zero-width assertion.</summary>
    private sealed class Leaf(PatternShape shape) : Node
    {
        public override PatternShape Shape => shape;

        public override int Count(string group) => 0;

        public override bool Find(string group, out PatternShape before, out PatternShape body, out PatternShape after)
        {
            before = body = after = PatternShape.Nothing;
            return false;
        }
    }

    private sealed class Sequence(List<Node> items) : Node
    {
        public override PatternShape Shape { get; } = items.Aggregate(PatternShape.Empty, (shape, item) => PatternShape.Concat(shape, item.Shape));

        public override int Count(string group) => items.Sum(i => i.Count(group));

        public override bool Find(string group, out PatternShape before, out PatternShape body, out PatternShape after)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i].Find(group, out var innerBefore, out body, out var innerAfter))
                {
                    before = PatternShape.Concat(items.Take(i).Aggregate(PatternShape.Empty, (s, n) => PatternShape.Concat(s, n.Shape)), innerBefore);
                    after = PatternShape.Concat(innerAfter, items.Skip(i + 1).Aggregate(PatternShape.Empty, (s, n) => PatternShape.Concat(s, n.Shape)));
                    return true;
                }
            }
            before = body = after = PatternShape.Nothing;
            return false;
        }
    }

    /// <summary>Alternatives and repetitions: a group inside may be captured zero or several times, so no span.</summary>
    private sealed class Branching(PatternShape shape, List<Node> inner) : Node
    {
        public override PatternShape Shape => shape;

        public override int Count(string group) => inner.Sum(i => i.Count(group));

        public override bool Find(string group, out PatternShape before, out PatternShape body, out PatternShape after)
        {
            before = body = after = PatternShape.Nothing;
            return false;
        }
    }

    private sealed class Group(string? name, Node body) : Node
    {
        public override PatternShape Shape => body.Shape;

        public override int Count(string group) => (name == group ? 1 : 0) + body.Count(group);

        public override bool Find(string group, out PatternShape before, out PatternShape found, out PatternShape after)
        {
            if (name == group)
            {
                (before, found, after) = (PatternShape.Empty, body.Shape, PatternShape.Empty);
                return true;
            }
            return body.Find(group, out before, out found, out after);
        }
    }

    private sealed class Parser(string pattern)
    {
        private static readonly Leaf EmptyLeaf = new(PatternShape.Empty);

        private int _at;

        public bool AtEnd => _at == pattern.Length;

        public Node Alternation()
        {
            var options = new List<Node> { Sequence() };
            while (Eat('|'))
            {
                options.Add(Sequence());
            }
            return options.Count == 1 ? options[0] : new Branching(options.Select(o => o.Shape).Aggregate(PatternShape.Union), options);
        }

        private Node Sequence()
        {
            var items = new List<Node>();
            while (!AtEnd && pattern[_at] is not '|' and not ')')
            {
                items.Add(Quantified(Atom()));
            }
            return items.Count == 1 ? items[0] : new Sequence(items);
        }

        private Node Quantified(Node atom)
        {
            if (AtEnd)
            {
                return atom;
            }
            int min, max;
            switch (pattern[_at])
            {
                case '*':
                    (min, max) = (0, -1);
                    _at++;
                    break;
                case '+':
                    (min, max) = (1, -1);
                    _at++;
                    break;
                case '?':
                    (min, max) = (0, 1);
                    _at++;
                    break;
                case '{' when TryBraces(out min, out max):
                    break;
                default:
                    return atom;
            }
            Eat('?'); // lazy: the same strings
            var shape = PatternShape.Repeat(atom.Shape, min, max);
            // Exactly once is no repetition: a group inside keeps its span.
            return min == 1 && max == 1 ? atom : new Branching(shape, [atom]);
        }

        private bool TryBraces(out int min, out int max)
        {
            min = max = 0;
            var close = pattern.IndexOf('}', _at);
            if (close < 0)
            {
                return false;
            }
            var body = pattern.AsSpan(_at + 1, close - _at - 1);
            var comma = body.IndexOf(',');
            bool ok;
            if (comma < 0)
            {
                ok = int.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out min);
                max = min;
            }
            else
            {
                ok = int.TryParse(body[..comma], NumberStyles.None, CultureInfo.InvariantCulture, out min);
                max = -1;
                if (ok && comma < body.Length - 1)
                {
                    ok = int.TryParse(body[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out max);
                }
            }
            if (ok)
            {
                _at = close + 1;
            }
            return ok;
        }

        private Node Atom()
        {
            var c = pattern[_at++];
            return c switch
            {
                '(' => GroupAtom(),
                '[' => new Leaf(Class()),
                '\\' => new Leaf(Escape()),
                '.' => new Leaf(PatternShape.Single(UInt128.MaxValue & ~Bit('\n'), true)),
                '^' or '$' => EmptyLeaf,
                '*' or '+' or '?' or ')' => throw new NotSupportedException($"unexpected '{c}'"),
                _ => new Leaf(c < 128 ? PatternShape.Single(Bit(c), false) : PatternShape.Single(UInt128.Zero, !char.IsWhiteSpace(c))),
            };
        }

        private Node GroupAtom()
        {
            if (!Eat('?'))
            {
                return new Group(null, Closed(Alternation()));
            }
            if (Eat(':') || Eat('>'))
            {
                return new Group(null, Closed(Alternation())); // non-capturing, atomic: at most the same strings
            }
            if (Eat('=') || Eat('!'))
            {
                Closed(Alternation());
                return EmptyLeaf; // lookahead: zero width (its constraint is ignored, which only admits more)
            }
            if (Eat('<'))
            {
                if (Eat('=') || Eat('!'))
                {
                    Closed(Alternation());
                    return EmptyLeaf;
                }
                return Named('>');
            }
            if (Eat('\''))
            {
                return Named('\'');
            }
            throw new NotSupportedException("inline options or conditionals");
        }

        private Group Named(char end)
        {
            var close = pattern.IndexOf(end, _at);
            if (close < 0)
            {
                throw new NotSupportedException("unterminated group name");
            }
            var name = pattern[_at..close];
            if (name.Contains('-', StringComparison.Ordinal))
            {
                throw new NotSupportedException("balancing groups");
            }
            _at = close + 1;
            return new Group(name, Closed(Alternation()));
        }

        private Node Closed(Node inner) =>
            Eat(')') ? inner : throw new NotSupportedException("unbalanced parenthesis");

        private PatternShape Escape()
        {
            if (AtEnd)
            {
                throw new NotSupportedException("trailing backslash");
            }
            var c = pattern[_at++];
            if (ClassEscape(c, out var ascii, out var nonAscii))
            {
                return PatternShape.Single(ascii, nonAscii);
            }
            return c switch
            {
                'b' or 'B' or 'A' or 'z' or 'Z' or 'G' => PatternShape.Empty,
                _ => PatternShape.Single(Bit(EscapedLiteral(c)), false),
            };
        }

        private PatternShape Class()
        {
            var negate = Eat('^');
            var ascii = UInt128.Zero;
            var nonAscii = false;
            var first = true;
            while (true)
            {
                if (AtEnd)
                {
                    throw new NotSupportedException("unterminated class");
                }
                if (pattern[_at] == ']' && !first)
                {
                    _at++;
                    break;
                }
                var c = pattern[_at++];
                if (c == '-' && !first && !AtEnd && pattern[_at] == '[')
                {
                    throw new NotSupportedException("class subtraction");
                }
                first = false;
                char low;
                if (c == '\\')
                {
                    if (AtEnd)
                    {
                        throw new NotSupportedException("trailing backslash");
                    }
                    var e = pattern[_at++];
                    if (ClassEscape(e, out var set, out var setNonAscii))
                    {
                        ascii |= set;
                        nonAscii |= setNonAscii;
                        continue;
                    }
                    low = e == 'b' ? '\b' : EscapedLiteral(e);
                }
                else
                {
                    low = c;
                }
                var high = low;
                if (_at + 1 < pattern.Length && pattern[_at] == '-' && pattern[_at + 1] != ']')
                {
                    _at++;
                    var h = pattern[_at++];
                    if (h == '[')
                    {
                        throw new NotSupportedException("class subtraction");
                    }
                    high = h == '\\' ? EscapedLiteral(AtEnd ? throw new NotSupportedException("trailing backslash") : pattern[_at++]) : h;
                }
                ascii |= Bits(low, high);
                nonAscii |= high >= 128;
            }
            if (negate)
            {
                ascii = ~ascii;
                nonAscii = true;
            }
            return PatternShape.Single(ascii, nonAscii);
        }

        /// <summary>\s \S \d \D \w \W. .NET's \d and \w include non-ASCII digits and letters.</summary>
        private static bool ClassEscape(char c, out UInt128 ascii, out bool nonAscii)
        {
            (ascii, nonAscii) = c switch
            {
                's' => (AsciiWhitespace, false),
                'S' => (~AsciiWhitespace, true),
                'd' => (AsciiDigits, true),
                'D' => (~AsciiDigits, true),
                'w' => (AsciiWord, true),
                'W' => (~AsciiWord, true),
                _ => (UInt128.Zero, false),
            };
            return c is 's' or 'S' or 'd' or 'D' or 'w' or 'W';
        }

        private static char EscapedLiteral(char c) => c switch
        {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'f' => '\f',
            'v' => '\v',
            'e' => '\u001b',
            'a' => '\a',
            _ when char.IsAsciiLetterOrDigit(c) || c >= 128 => throw new NotSupportedException($"escape \\{c}"),
            _ => c,
        };

        private bool Eat(char c)
        {
            if (!AtEnd && pattern[_at] == c)
            {
                _at++;
                return true;
            }
            return false;
        }
    }
}
