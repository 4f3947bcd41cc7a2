using System.CommandLine;
using Waybill.Tenancy;

namespace Waybill.Cli;

internal static class TenantCommands
{
    public static Command Build(Option<string?> dataDir, Option<string?> database, TextWriter stdout, TextWriter stderr)
    {
        var tenants = new Command("tenants", "Manage tenants (sellers) and their API keys.");

        var name = new Argument<string>("NAME") { Description = "The tenant's name (unique, ignoring case)." };
        var currency = new Option<string?>("--currency") { Description = "The tenant's currency (ISO 4217); quotes are in it unless a request names another. Default EUR." };
        var add = new Command("add", "Create a tenant; prints its API key as the last line (shown once).") { name, currency };
        add.SetAction(async (parse, ct) =>
        {
            var storage = await CliApp.OpenStorageAsync(parse, dataDir, database, ct);
            await using var db = storage.CreateDb();
            var result = await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new AddTenant.Request(parse.GetValue(name), parse.GetValue(currency)), ct);
            if (!result.IsSuccess)
            {
                await stderr.WriteLineAsync($"error: {result.Error!.Message}");
                return 1;
            }
            await stdout.WriteLineAsync($"Created tenant '{result.Value.Name}' ({result.Value.Id}). Its API key, shown only now:");
            await stdout.WriteLineAsync(result.Value.ApiKey);
            return 0;
        });

        var list = new Command("list", "List tenants: name, id, created, key issued (tab-separated).");
        list.SetAction(async (parse, ct) =>
        {
            var storage = await CliApp.OpenStorageAsync(parse, dataDir, database, ct);
            await using var db = storage.CreateDb();
            foreach (var t in await new ListTenants.Handler(db).HandleAsync(ct))
            {
                await stdout.WriteLineAsync($"{t.Name}\t{t.Id}\t{t.CreatedAt:yyyy-MM-ddTHH:mm:ssZ}\t{t.KeyIssuedAt:yyyy-MM-ddTHH:mm:ssZ}");
            }
            return 0;
        });

        var rotateName = new Argument<string>("NAME") { Description = "The tenant whose key to replace." };
        var rotate = new Command("rotate-key", "Replace a tenant's API key; the old key stops working. Prints the new key as the last line.") { rotateName };
        rotate.SetAction(async (parse, ct) =>
        {
            var storage = await CliApp.OpenStorageAsync(parse, dataDir, database, ct);
            await using var db = storage.CreateDb();
            var result = await new RotateApiKey.Handler(db, TimeProvider.System).HandleAsync(new RotateApiKey.Request(parse.GetValue(rotateName)), ct);
            if (!result.IsSuccess)
            {
                await stderr.WriteLineAsync($"error: {result.Error!.Message} See 'waybill tenants list'.");
                return 1;
            }
            await stdout.WriteLineAsync($"New API key for '{result.Value.Name}'; the old key no longer works:");
            await stdout.WriteLineAsync(result.Value.ApiKey);
            return 0;
        });

        tenants.Subcommands.Add(add);
        tenants.Subcommands.Add(list);
        tenants.Subcommands.Add(rotate);
        return tenants;
    }
}
