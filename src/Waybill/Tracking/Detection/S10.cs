namespace Waybill.Tracking.Detection;

/// <summary>
/// UPU S10 compliance beyond the check digit (UPU S10-12, 2.1 and Annex A): the service indicator's first letter is
/// one S10 allows, and the issuing post's code is an ISO 3166-1 alpha-2 country.
/// </summary>
internal static class S10
{
    /// <summary>Reserved (J, K, S, T, W) or not standard (F, I, O, X, Y) as a first service-indicator letter.</summary>
    public const string RefusedFirstLetters = "FIJKOSTWXY";

    public static bool IsCompliant(ReadOnlySpan<char> serviceIndicator, ReadOnlySpan<char> country, IssuerTable issuers) =>
        serviceIndicator.Length == 2
        && char.IsAsciiLetterUpper(serviceIndicator[0])
        && char.IsAsciiLetterUpper(serviceIndicator[1])
        && !RefusedFirstLetters.Contains(serviceIndicator[0], StringComparison.Ordinal)
        && issuers.IsCountry(country);
}

/// <summary>The ISO 3166-1 alpha-2 codes as a 26 x 26 table, so the hot path checks an issuer without a string.</summary>
internal sealed class IssuerTable
{
    private readonly bool[] _known = new bool[26 * 26];

    public IssuerTable(Func<string, bool> isCountry)
    {
        for (var a = 'A'; a <= 'Z'; a++)
        {
            for (var b = 'A'; b <= 'Z'; b++)
            {
                _known[((a - 'A') * 26) + (b - 'A')] = isCountry(new string([a, b]));
            }
        }
    }

    public bool IsCountry(ReadOnlySpan<char> code) =>
        code.Length == 2 && char.IsAsciiLetterUpper(code[0]) && char.IsAsciiLetterUpper(code[1])
        && _known[((code[0] - 'A') * 26) + (code[1] - 'A')];
}
