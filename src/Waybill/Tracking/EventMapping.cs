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

    public sealed record Entry(TrackingStatus Status, Milestone? Milestone, string? Exception, string Description, bool Verified);

    private static readonly Lazy<EventMapping> Shared = new(() => Load(ReferenceData.PathOf("tracking", "events")));

    public static EventMapping Default => Shared.Value;

    public IEnumerable<string> Carriers => _byCarrier.Keys;

    public Entry? Find(string carrier, string code) =>
        _byCarrier.TryGetValue(carrier, out var codes) && codes.TryGetValue(code, out var entry) ? entry : null;

    public static EventMapping Load(string directory)
    {
        var carriers = new Dictionary<string, Dictionary<string, Entry>>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, (string Target, string File)>(StringComparer.Ordinal);
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
                foreach (var alias in named)
                {
                    aliases[alias] = (same.GetString()!, Path.GetFileName(file));
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
                var v = code.Value;
                if (!TrackingNames.TryParse<TrackingStatus>(v.GetProperty("status").GetString(), out var status))
                {
                    throw new InvalidDataException($"{Path.GetFileName(file)}: code {code.Name} has an unknown status.");
                }
                Milestone? milestone = null;
                if (v.TryGetProperty("milestone", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    milestone = TrackingNames.TryParse<Milestone>(m.GetString(), out var parsed)
                        ? parsed
                        : throw new InvalidDataException($"{Path.GetFileName(file)}: code {code.Name} has an unknown milestone '{m.GetString()}'.");
                }
                var exception = v.TryGetProperty("exception", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null;
                var description = v.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
                var verified = !v.TryGetProperty("verified", out var ok) || ok.ValueKind != JsonValueKind.False;
                if (!codes.TryAdd(code.Name, new Entry(status, milestone, exception, description, verified)))
                {
                    throw new InvalidDataException($"{Path.GetFileName(file)}: code {code.Name} of {carrier} is defined twice.");
                }
            }
        }
        foreach (var (alias, (target, file)) in aliases)
        {
            if (!carriers.TryGetValue(target, out var codes) || !carriers.TryAdd(alias, codes))
            {
                throw new InvalidDataException($"{file}: {alias} takes the codes of {target}, which no file describes, or is described itself.");
            }
        }
        return new EventMapping(carriers.ToFrozenDictionary(
            c => c.Key, c => c.Value.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal));
    }
}
