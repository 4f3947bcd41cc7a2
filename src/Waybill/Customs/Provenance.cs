namespace Waybill.Customs;

/// <summary>
/// The check every regulatory data file shares: an entry names its source, says whether it is verified, and an
/// unverified one states its assumption in a note.
/// </summary>
internal static class Provenance
{
    /// <param name="what">The entry's kind in the message: "rule", "entry", "rate".</param>
    public static void Check(string? source, bool? verified, string? note, string what, Action<string> problem)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            problem("a source is required.");
        }
        if (verified is null)
        {
            problem("verified (true or false) is required.");
        }
        else if (verified == false && string.IsNullOrWhiteSpace(note))
        {
            problem($"an unverified {what} states its assumption in a note.");
        }
    }
}
