using Microsoft.AspNetCore.Http.HttpResults;
using Waybill.Tracking.Detection;

namespace Waybill.Server;

internal static class TrackingNumbersEndpoints
{
    /// <summary>The number as sent, and every format it matches (empty when none).</summary>
    public sealed record TrackingNumberCandidates(string Number, IReadOnlyList<TrackingCandidate> Candidates);

    public static void MapTrackingNumbers(this IEndpointRouteBuilder v1)
    {
        var numbers = v1.MapGroup("/tracking-numbers").WithTags("Tracking numbers");

        // In memory and synchronous: the registry is loaded once and a lookup takes about a microsecond.
        numbers.MapGet("/{number}", Ok<TrackingNumberCandidates> (string number) =>
                TypedResults.Ok(new TrackingNumberCandidates(number, CarrierRegistry.Default.Candidates(number))))
            .WithSummary("Lists the courier formats a tracking number matches, with its check digit and compliance.")
            .WithDescription(
                "A format matches the whole number with whitespace removed. Each candidate names the courier (canonical code), "
                + "the format, whether its check digit holds (true for a format without one) and whether it is compliant "
                + "(the data's other rules; for UPU S10 the service indicator and an ISO 3166-1 issuing country). "
                + "A number is a valid number of a courier when both hold, as `waybill detect` reports it. "
                + "Nothing matching is an answer, not an error: 200 with an empty list.");
    }
}
