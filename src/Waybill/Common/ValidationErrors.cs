namespace Waybill.Common;

/// <summary>Collects every wrong field of a request at once, keyed by field path (<c>lines[0].quantity</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public int Count => _errors.Count;

    public void Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            list = [];
            _errors[field] = list;
        }
        list.Add(reason);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public IEnumerable<(string Field, string Reason)> All() =>
        _errors.SelectMany(e => e.Value.Select(r => (e.Key, r)));

    public Error ToError(string code = "validation.failed", string message = "The request has invalid fields.") =>
        Error.Validation(code, message, ToDictionary());
}
