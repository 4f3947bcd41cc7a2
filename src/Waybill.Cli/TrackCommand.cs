using System.CommandLine;
using System.Globalization;
using Waybill.Tracking;

namespace Waybill.Cli;

internal static class TrackCommand
{
    public static Command Build(Option<string?> dataDir, Option<string?> database, TextWriter stdout, TextWriter stderr)
    {
        var number = new Argument<string>("NUMBER") { Description = "A tracking number of any leg of the shipment." };
        var tenant = new Option<string>("--tenant") { Description = "The tenant the shipment belongs to.", Required = true };
        var track = new Command("track", "Print a shipment's timeline across all its legs (tab-separated: local time, code, status, milestone, place, description).") { number, tenant };
        track.SetAction(async (parse, ct) =>
        {
            var storage = await CliApp.OpenStorageAsync(parse, dataDir, database, ct);
            await using var db = storage.CreateDb();
            var name = parse.GetValue(tenant)!;
            if (!await CliApp.UseTenantAsync(db, name, stderr, ct))
            {
                return 1;
            }
            var page = (await new ListShipments.Handler(db).HandleAsync(new ListShipments.Request(parse.GetValue(number), null, null, 1, 1), ct)).Value;
            if (page.Items.Count == 0)
            {
                await stderr.WriteLineAsync($"error: no shipment of '{name}' has the tracking number {parse.GetValue(number)}.");
                return 1;
            }
            var shipment = page.Items[0];
            var legs = string.Join(", ", shipment.Legs.Select(l => $"{l.Carrier} {l.TrackingNumber}{(l.Role is null ? "" : $" ({l.Role})")}"));
            await stdout.WriteLineAsync($"# shipment {shipment.Id}: {shipment.Status}, milestone {shipment.Milestone ?? "none"}; legs: {legs}");
            foreach (var e in (await new ListShipmentEvents.Handler(db).HandleAsync(shipment.Id, ct)).Value)
            {
                var place = string.Join(" ", new[] { e.Location.PostalCode, e.Location.City, e.Location.Country }.Where(p => !string.IsNullOrEmpty(p)));
                await stdout.WriteLineAsync(string.Join('\t',
                    e.OccurredAt.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture), $"{e.Carrier}:{e.Code}",
                    e.Status ?? "unmapped", e.Milestone ?? "-", place, e.Description));
            }
            return 0;
        });
        return track;
    }
}
