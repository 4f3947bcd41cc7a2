using System.Collections.Frozen;
using System.Text.Json;
using Waybill.Common;

namespace Waybill.Tracking;

/// <summary>
/// Carrier event codes to the normalised model, from <c>data/tracking/events/{carrier}.json</c> (see its SOURCE.md).
/// A code missing here is stored and flagged unmapped, never dropped.
/// </summary>
public sealed class EventMapping
{
    private readonly FrozenDictionary<string, FrozenDictionary<string, Entry>> _byCarrier;

    private EventMapping(FrozenDictionary<string, FrozenDictionary<string, Entry>> byCarrier) => _byCarrier = byCarrier;

    public sealed record Entry(TrackingStatus Status, Milestone? Milestone, string? Exception, string Description, bool Verified)
    {
        /// <summary>
        /// For a code whose meaning the event's description completes (UPU EMH: "REASON - ACTION", as USPS renders a
        /// foreign EMH): the reasons and the actions known, each a mapping of its own.
        /// </summary>
        public Refinements? Refined { get; init; }
    }

    /// <summary>An EMH's reason and action texts (matched ignoring case) and what each means.</summary>
    public sealed record Refinements(FrozenDictionary<string, Entry> Reasons, FrozenDictionary<string, Entry> Actions);

    private static readonly Lazy<EventMapping> Shared = new(() => Load(ReferenceData.PathOf("tracking", "events")));

    public static EventMapping Default => Shared.Value;

    public IEnumerable<string> Carriers => _byCarrier.Keys;

    public Entry? Find(string carrier, string code) =>
        _byCarrier.TryGetValue(carrier, out var codes) && codes.TryGetValue(code, out var entry) ? entry : null;

    /// <summary>
    /// The meaning of a code, completed by the event's description where the code needs it: for an EMH, the code, then
    /// the reason, then the action apply (the action's status and milestone win; the exception is the reason's if it
    /// has one, the cause, else the action's: "Refused - Item returned to sender" is refused, and returned to sender by
    /// its milestone). A description that names no known reason or action leaves the code's meaning.
    /// </summary>
    public Entry? Find(string carrier, string code, string? description)
    {
        var entry = Find(carrier, code);
        if (entry?.Refined is not { } refined || string.IsNullOrWhiteSpace(description))
        {
            return entry;
        }
        var dash = description.IndexOf(" - ", StringComparison.Ordinal);
        var reasonText = (dash < 0 ? description : description[..dash]).Trim();
        var actionText = dash < 0 ? null : description[(dash + 3)..].Trim();
        var reason = refined.Reasons.GetValueOrDefault(reasonText);
        var action = actionText is null ? null : refined.Actions.GetValueOrDefault(actionText);
        if (reason is null && action is null)
        {
            return entry;
        }
        var last = action ?? reason!;
        return entry with
        {
            Status = last.Status,
            Milestone = last.Milestone ?? reason?.Milestone ?? entry.Milestone,
            Exception = reason?.Exception ?? action?.Exception ?? entry.Exception,
            Verified = entry.Verified && (reason?.Verified ?? true) && (action?.Verified ?? true),
            Refined = null,
        };
    }

    public static EventMapping Load(string directory)
    {
        var carriers = new Dictionary<string, Dictionary<string, Entry>>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, (string Target, string File, Dictionary<string, Entry> Own)>(StringComparer.Ordinal);
        foreach (var file in Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.json") : [])
        {
            using var stream = File.OpenRead(file);
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            // One carrier per file ("carrier"), or one code list for several ("carriers", the sandbox network's);
            // "sameCodesAs" gives carriers another carrier's codes (the sandbox posts speak UPU, as s10 does).
            var named = root.TryGetProperty("carriers", out var list)
                ? list.EnumerateArray().Select(c => c.GetString()!).ToList()
                : [root.GetProperty("carrier").GetString()!];
            if (root.TryGetProperty("sameCodesAs", out var same))
            {
                // Their own codes, if any, come on top of the other carrier's (a post's own statuses beside UPU's).
                var own = root.TryGetProperty("codes", out var extra)
                    ? extra.EnumerateObject().ToDictionary(c => c.Name, c => ParseEntry(c, Path.GetFileName(file)), StringComparer.OrdinalIgnoreCase)
                    : [];
                foreach (var alias in named)
                {
                    aliases[alias] = (same.GetString()!, Path.GetFileName(file), own);
                }
                continue;
            }
            var carrier = named[0];
            // Several files may describe one carrier (one per API of the same company): their codes add up.
            if (!carriers.TryGetValue(carrier, out var codes))
            {
                codes = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
                carriers[carrier] = codes;
            }
            foreach (var other in named.Skip(1))
            {
                if (!carriers.TryAdd(other, codes))
                {
                    throw new InvalidDataException($"{Path.GetFileName(file)}: {other} is described by another file too.");
                }
            }
            foreach (var code in root.GetProperty("codes").EnumerateObject())
            {
                if (!codes.TryAdd(code.Name, ParseEntry(code, Path.GetFileName(file))))
                {
                    throw new InvalidDataException($"{Path.GetFileName(file)}: code {code.Name} of {carrier} is defined twice.");
                }
            }
            // UPU's EMH says what happened in its reason and action (see the file's notes).
            if (root.TryGetProperty("emhReasons", out var reasons) && root.TryGetProperty("emhActions", out var actions) && codes.TryGetValue("EMH", out var emh))
            {
                codes["EMH"] = emh with { Refined = new Refinements(ParseEntries(reasons, Path.GetFileName(file)), ParseEntries(actions, Path.GetFileName(file))) };
            }
        }
        foreach (var (alias, (target, file, own)) in aliases)
        {
            if (!carriers.TryGetValue(target, out var codes) || carriers.ContainsKey(alias))
            {
                throw new InvalidDataException($"{file}: {alias} takes the codes of {target}, which no file describes, or is described itself.");
            }
            var merged = new Dictionary<string, Entry>(codes, StringComparer.OrdinalIgnoreCase);
            foreach (var (code, entry) in own)
            {
                if (!merged.TryAdd(code, entry))
                {
                    throw new InvalidDataException($"{file}: {alias}'s own code {code} is one of {target}'s already.");
                }
            }
            carriers[alias] = merged;
        }
        return new EventMapping(carriers.ToFrozenDictionary(
            c => c.Key, c => c.Value.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal));
    }

    private static FrozenDictionary<string, Entry> ParseEntries(JsonElement entries, string file) =>
        entries.EnumerateObject().ToFrozenDictionary(e => e.Name, e => ParseEntry(e, file), StringComparer.OrdinalIgnoreCase);

    private static Entry ParseEntry(JsonProperty code, string file)
    {
        var v = code.Value;
        if (!TrackingNames.TryParse<TrackingStatus>(v.GetProperty("status").GetString(), out var status))
        {
            throw new InvalidDataException($"{file}: code {code.Name} has an unknown status.");
        }
        Milestone? milestone = null;
        if (v.TryGetProperty("milestone", out var m) && m.ValueKind == JsonValueKind.String)
        {
            milestone = TrackingNames.TryParse<Milestone>(m.GetString(), out var parsed)
                ? parsed
                : throw new InvalidDataException($"{file}: code {code.Name} has an unknown milestone '{m.GetString()}'.");
        }
        var exception = v.TryGetProperty("exception", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null;
        var description = v.TryGetProperty("description", out var d) ? d.GetString() ?? "" : code.Name;
        var verified = !v.TryGetProperty("verified", out var ok) || ok.ValueKind != JsonValueKind.False;
        return new Entry(status, milestone, exception, description, verified);
    }
}
