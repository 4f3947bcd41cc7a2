using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Waybill.Server.Http;

/// <summary>Documents the API key: <c>Authorization: Bearer KEY</c> on every <c>/v1</c> operation.</summary>
internal sealed class BearerSecurityScheme : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Waybill API";
        document.Info.Description = "Cross-border logistics: orders, shipping, customs, tracking. Authenticate with the tenant's API key as 'Authorization: Bearer KEY'. Errors are RFC 9457 problem details with a stable 'code'. Every POST accepts an Idempotency-Key header.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The tenant's API key (waybill tenants add NAME prints it).",
        };
        foreach (var (path, item) in document.Paths)
        {
            if (!path.StartsWith("/v1", StringComparison.Ordinal) || item.Operations is null)
            {
                continue;
            }
            foreach (var operation in item.Operations.Values)
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] });
            }
        }
        return Task.CompletedTask;
    }
}
