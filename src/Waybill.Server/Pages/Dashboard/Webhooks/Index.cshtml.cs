using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Notifications;

namespace Waybill.Server.Pages.Dashboard.Webhooks;

/// <summary>
/// The tenant's webhook endpoints, enabled and disabled (<see cref="ListWebhookEndpoints"/>), and the form that adds one
/// (<see cref="CreateWebhookEndpoint"/>, its URL policy included). The new endpoint's secret is shown once, in the answer
/// to the POST itself: never in an address, a cookie or a later page.
/// </summary>
public sealed class IndexModel(ListWebhookEndpoints.Handler list, CreateWebhookEndpoint.Handler create) : PageModel
{
    public const int PageSize = 100;

    public PageOf<WebhookEndpointView>? Endpoints { get; private set; }

    [BindProperty(Name = "url")]
    public string? EndpointUrl { get; set; }

    [BindProperty(Name = "events")]
    public List<string> Events { get; set; } = [];

    /// <summary>The endpoint just made, with its secret (this response only).</summary>
    public WebhookEndpointSecretView? Created { get; private set; }

    public Error? CreateError { get; private set; }

    /// <summary>The redirect after a delete says so (<c>?deleted=1</c>).</summary>
    [BindProperty(SupportsGet = true, Name = "deleted")]
    public bool Deleted { get; set; }

    public IReadOnlyList<string> ErrorsOf(string field) => WebhookText.ErrorsOf(CreateError, field);

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync()
    {
        Deleted = false;
        var result = await create.HandleAsync(new CreateWebhookEndpoint.Request(EndpointUrl, [.. Events]), HttpContext.RequestAborted);
        if (result.IsSuccess)
        {
            Created = result.Value;
            WebhookText.NoStore(Response);
            EndpointUrl = null;
            Events = [];
        }
        else
        {
            CreateError = result.Error;
            Response.StatusCode = result.Error!.Kind == ErrorKind.Validation ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity;
        }
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var result = await list.HandleAsync(new ListWebhookEndpoints.Request(1, PageSize, IncludeDisabled: true), HttpContext.RequestAborted);
        Endpoints = result.Value; // the paging is the page's own: always valid
    }
}
