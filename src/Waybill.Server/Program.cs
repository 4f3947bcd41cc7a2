using Waybill.Server;

// Waybill's server: the HTTP API, and (later) the dashboard, tracking pages and background workers.
// Options: --urls, --data-dir DIR, --database CS (or ConnectionStrings__Waybill), --demo true|false. See README.
var app = await WaybillServer.BuildAsync(args);
await app.RunAsync();

/// <summary>Entry point, visible to the HTTP contract tests.</summary>
public partial class Program;
