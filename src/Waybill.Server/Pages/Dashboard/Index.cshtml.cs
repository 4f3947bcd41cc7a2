using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Dashboard;

/// <summary>The dashboard's first page: the tenant's shipments counted by status, each a link to the filtered list.</summary>
public sealed class IndexModel(WaybillDb db) : PageModel
{
    public IReadOnlyList<(string Status, int Count)> ByStatus { get; private set; } = [];

    public int Total { get; private set; }

    public async Task OnGetAsync()
    {
        var counts = await db.Shipments.AsNoTracking().GroupBy(s => s.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(HttpContext.RequestAborted);
        ByStatus = counts.OrderBy(c => c.Key).Select(c => (TrackingNames.Of(c.Key), c.Count)).ToList();
        Total = counts.Sum(c => c.Count);
    }
}
