using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Tenancy;

namespace Waybill.Server;

/// <summary>
/// The embedded default's demo seller. Created on first start with its key written to
/// <c>&lt;data-dir&gt;/demo-api-key.txt</c>; later starts reuse both. A missing key file gets a fresh key.
/// </summary>
internal static class DemoTenant
{
    public const string Name = "demo";
    public const string KeyFileName = "demo-api-key.txt";

    public static async Task<string> EnsureAsync(Storage storage, TimeProvider clock, CancellationToken ct)
    {
        var keyFile = Path.Combine(storage.DataDirectory, KeyFileName);
        await using var db = storage.CreateDb();
        var key = Tenant.KeyOf(Name);
        var exists = await db.Tenants.AnyAsync(t => t.NameKey == key, ct);
        if (exists && File.Exists(keyFile))
        {
            var saved = (await File.ReadAllTextAsync(keyFile, ct)).Trim();
            if (await FindTenantByKey.HandleAsync(db, ApiKeys.Hash(saved)) is not null)
            {
                return saved;
            }
        }
        string apiKey;
        if (exists)
        {
            var rotated = await new RotateApiKey.Handler(db, clock).HandleAsync(new RotateApiKey.Request(Name), ct);
            apiKey = rotated.Value.ApiKey;
        }
        else
        {
            var added = await new AddTenant.Handler(db, clock).HandleAsync(new AddTenant.Request(Name), ct);
            if (!added.IsSuccess)
            {
                // Another process created it between our check and insert: take its key from the file it writes.
                return await EnsureAsync(storage, clock, ct);
            }
            apiKey = added.Value.ApiKey;
        }
        await WriteKeyFileAsync(keyFile, apiKey, ct);
        return apiKey;
    }

    private static async Task WriteKeyFileAsync(string path, string apiKey, CancellationToken ct)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, apiKey + "\n", ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
