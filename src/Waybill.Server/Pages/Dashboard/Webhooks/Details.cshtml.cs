using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Server.Web;

namespace Waybill.Server.Pages.Dashboard.Webhooks;

/// <summary>
/// One webhook endpoint and its recent deliveries (<see cref="ListNotifications"/>, as
/// <c>GET /v1/webhook-endpoints/{id}/deliveries</c>), with its actions: rotate the secret (after a confirmation; the new
/// secret is shown once, in the answer), disable and enable, and delete for good (after a confirmation).
/// </summary>
public sealed class DetailsModel(
    GetWebhookEndpoint.Handler get,
    ListNotifications.Handler deliveries,
    RotateWebhookSecret.Handler rotate,
    DeleteWebhookEndpoint.Handler disable,
    EnableWebhookEndpoint.Handler enable,
    RemoveWebhookEndpoint.Handler remove) : PageModel
{
    public const int PageSize = 50;

    public static IReadOnlyList<string> Statuses => NotificationStatus.All;

    public WebhookEndpointView? Endpoint { get; private set; }

    public PageOf<NotificationView>? Deliveries { get; private set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    /// <summary><c>?confirm=rotate</c> or <c>?confirm=delete</c>: the page asks before the POST.</summary>
    [BindProperty(SupportsGet = true, Name = "confirm")]
    public string? Confirm { get; set; }

    /// <summary>The rotated secret (this response only).</summary>
    public WebhookEndpointSecretView? Rotated { get; private set; }

    public Error? ActionError { get; private set; }

    public string? ListError { get; private set; }

    public int PageCount => Deliveries is null || Deliveries.Total == 0 ? 1 : (int)Math.Ceiling(Deliveries.Total / (double)Deliveries.PageSize);

    public async Task<IActionResult> OnGetAsync(Guid id) => await LoadAsync(id) ? Page() : NotFoundPage();

    public async Task<IActionResult> OnPostRotateAsync(Guid id)
    {
        var result = await rotate.HandleAsync(id, HttpContext.RequestAborted);
        if (result.IsSuccess)
        {
            Rotated = result.Value;
            WebhookText.NoStore(Response);
        }
        return await AfterAsync(id, result.Error);
    }

    public async Task<IActionResult> OnPostDisableAsync(Guid id)
    {
        var result = await disable.HandleAsync(id, HttpContext.RequestAborted);
        return result.IsSuccess ? Redirect($"/dashboard/webhooks/{id}") : await AfterAsync(id, result.Error);
    }

    public async Task<IActionResult> OnPostEnableAsync(Guid id)
    {
        var result = await enable.HandleAsync(id, HttpContext.RequestAborted);
        return result.IsSuccess ? Redirect($"/dashboard/webhooks/{id}") : await AfterAsync(id, result.Error);
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id)
    {
        var result = await remove.HandleAsync(id, HttpContext.RequestAborted);
        return result.IsSuccess ? Redirect("/dashboard/webhooks?deleted=true") : await AfterAsync(id, result.Error);
    }

    /// <summary>The query string of the deliveries with another page (the status filter kept).</summary>
    public string Link(int page) => PageFormat.PageUrl(Request, page, "p");

    private async Task<IActionResult> AfterAsync(Guid id, Error? error)
    {
        ActionError = error;
        Confirm = null;
        if (!await LoadAsync(id))
        {
            return NotFoundPage();
        }
        if (error is not null)
        {
            Response.StatusCode = error.Kind switch
            {
                ErrorKind.NotFound => StatusCodes.Status404NotFound,
                ErrorKind.Conflict => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            };
        }
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id)
    {
        var ct = HttpContext.RequestAborted;
        var endpoint = await get.HandleAsync(id, includeDisabled: true, ct);
        if (!endpoint.IsSuccess)
        {
            return false;
        }
        Endpoint = endpoint.Value;
        Confirm = Confirm is "rotate" or "delete" ? Confirm : null;
        var found = await deliveries.HandleAsync(
            new ListNotifications.Request(null, null, Status, PageNumber, PageSize, "webhook", id.ToString()), ct);
        if (found.IsSuccess)
        {
            Deliveries = found.Value;
        }
        else
        {
            ListError = string.Join(" ", found.Error!.Errors?.SelectMany(e => e.Value) ?? [found.Error.Message]);
            Deliveries = new PageOf<NotificationView>([], 0, 1, PageSize);
            if (Response.StatusCode == StatusCodes.Status200OK)
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
            }
        }
        return true;
    }

    private PageResult NotFoundPage()
    {
        Endpoint = null;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
