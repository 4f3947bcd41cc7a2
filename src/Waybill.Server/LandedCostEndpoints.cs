using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waybill.Common;
using Waybill.Customs;
using Waybill.Server.Http;

namespace Waybill.Server;

internal static class LandedCostEndpoints
{
    /// <summary>A quote of 100 lines is well under this; a larger body is refused (413) before it is parsed.</summary>
    private const int MaxBody = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static void MapLandedCost(this IEndpointRouteBuilder v1)
    {
        // The handler is the process's one: resolving it per request would cost a scoped resolution on the hot path.
        var handler = v1.ServiceProvider.GetRequiredService<QuoteLandedCost.Handler>();
        v1.MapPost("/landed-cost/quotes", (HttpContext context, CancellationToken ct) => QuoteAsync(context, handler, ct))
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
            {
                // Documented by hand: Accepts() would add routing's content-type policy to every quote (measured: a ratio
                // 0.712/0.716 with it, 0.725/0.731 without), where the endpoint checks the media type itself (415).
                operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(LandedCostInput), null, ct) },
                    },
                };
            })
            .Produces<LandedCostView>()
            .WithTags("Customs")
            .WithSummary("Quotes what a parcel costs the buyer to land: goods, shipping, duty, import tax and fees under the rules in force on the date, in the destination's currency.")
            .WithDescription("{from, to, date? (YYYY-MM-DD, today), mode? (postal: the default, or courier), incoterm (DDP or DAP), currency, shipping, insurance?, lines[{hsCode, originCountry, description, quantity, unitValue, weightKg}]} answers {currency, goods, shipping, insurance, duty, tax, fees, total, scheme, collectedAt (checkout or delivery; null when nothing is due), form (CN22, CN23 or commercial_invoice), verified, charges[{kind, amount, basis, rule, verified}], warnings, exchange}. Every charge is rounded half away from zero to the currency's minor unit; total is their sum. 400 customs.quote_invalid names every wrong field; 422 customs.hs_code_unknown, customs.embargoed, customs.prohibited_goods (naming the line).")
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
    }

    /// <summary>
    /// The checkout's hot path, written against the request and response directly: the body is read whole, an ordinary
    /// valid body is read straight into the checked request (<see cref="QuoteBodyReader.TryReadValid"/>) and anything
    /// else goes the general way (parsed, then checked, naming every wrong field), and the answer is serialized straight
    /// into the response pipe. Malformed JSON, a wrong media type or an oversized body fail as every other endpoint's do
    /// (<see cref="RequestErrors"/>).
    /// </summary>
    /// <remarks>
    /// The common case (the tenant's registrations cached, the whole body already received with the headers) runs
    /// without awaiting anything, so without an async method's state machine; any other case awaits what it waits for
    /// (<see cref="QuoteSlowAsync"/>).
    /// </remarks>
    private static Task QuoteAsync(HttpContext context, QuoteLandedCost.Handler handler, CancellationToken ct)
    {
        if (!IsJson(context.Request))
        {
            throw new BadHttpRequestException("Send the body as application/json.", StatusCodes.Status415UnsupportedMediaType);
        }
        // The tenant as the API-key middleware found it: asking the request's services for it would make their scope,
        // which a quote whose tenant's settings are cached never needs.
        var quoting = handler.ContextAsync(TenantServices.TenantOf(context), context, static c => c.RequestServices, ct);
        var reader = context.Request.BodyReader;
        if (quoting.IsCompletedSuccessfully && reader.TryRead(out var read) && IsWhole(context.Request, reader, read))
        {
            return Respond(context, Quote(reader, read.Buffer, quoting.Result));
        }
        return QuoteSlowAsync(context, quoting, ct);
    }

    private static async Task QuoteSlowAsync(HttpContext context, ValueTask<QuoteLandedCost.Context> quoting, CancellationToken ct)
    {
        var quotingContext = await quoting;
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(ct);
            if (IsWhole(context.Request, reader, read))
            {
                await Respond(context, Quote(reader, read.Buffer, quotingContext));
                return;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="read"/> holds the whole body: the reader has completed, or the body's declared length is
    /// there (the server gives no more, so no second read to learn that it has ended). Else the bytes stay in the pipe,
    /// marked examined, so that the next read waits for more. A body over <see cref="MaxBody"/> is refused (413).
    /// The quotes bench's fixed-answer endpoint reads its bodies with it too, so that it reads them as this one does.
    /// </summary>
    internal static bool IsWhole(HttpRequest request, PipeReader reader, ReadResult read)
    {
        var buffer = read.Buffer;
        if (buffer.Length > MaxBody)
        {
            reader.AdvanceTo(buffer.End);
            throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
        }
        if (read.IsCompleted || (request.ContentLength is { } length && buffer.Length >= length))
        {
            return true;
        }
        reader.AdvanceTo(buffer.Start, buffer.End);
        return false;
    }

    /// <summary>
    /// The answer, serialized first into this thread's buffer, so that it has a Content-Length (no chunked framing) and
    /// goes out with its headers in one write when the request completes. The copy into the response is synchronous: the
    /// buffer is free again before this thread can run another request.
    /// </summary>
    private static Task Respond(HttpContext context, Result<LandedCostAnswer> result)
    {
        if (!result.IsSuccess)
        {
            return Problems.From(result.Error!).ExecuteAsync(context);
        }
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(8192);
        buffer.ResetWrittenCount();
        result.Value.WriteJson(buffer);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = buffer.WrittenCount;
        context.Response.BodyWriter.Write(buffer.WrittenSpan);
        return Task.CompletedTask;
    }

    /// <summary>The media type as clients send it, compared as text; any other spelling is parsed (<c>HasJsonContentType</c>: parameters, <c>+json</c>).</summary>
    private static bool IsJson(HttpRequest request) =>
        string.Equals(request.ContentType, "application/json", StringComparison.OrdinalIgnoreCase) || request.HasJsonContentType();

    /// <summary>The quote of the whole body in <paramref name="buffer"/>, which is then consumed from the pipe.</summary>
    private static Result<LandedCostAnswer> Quote(PipeReader reader, ReadOnlySequence<byte> buffer, QuoteLandedCost.Context quoting)
    {
        try
        {
            if (QuoteBodyReader.TryReadValid(buffer, quoting, out var request))
            {
                return QuoteLandedCost.Handler.Answer(request);
            }
            if (buffer.IsEmpty)
            {
                throw new BadHttpRequestException("The request body is empty: send the quote request as JSON.");
            }
            if (QuoteBodyReader.TryRead(buffer, out var input))
            {
                return QuoteLandedCost.Handler.Answer(input, quoting);
            }
            var json = new Utf8JsonReader(buffer);
            return QuoteLandedCost.Handler.Answer((JsonSerializer.Deserialize(ref json, LandedCostJson.Default.QuoteBody)
                ?? throw new BadHttpRequestException("The request body is null: send the quote request as a JSON object.")).ToInput(), quoting);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The request body is not valid JSON for this endpoint.", StatusCodes.Status400BadRequest, e);
        }
        finally
        {
            reader.AdvanceTo(buffer.End);
        }
    }
}

/// <summary>
/// <see cref="LandedCostInput"/> as the JSON reader fills it: settable properties, so that the source-generated reader
/// sets them as it goes instead of gathering constructor arguments (the records' positional form). Same names, same
/// number handling, so the same errors name the same fields.
/// </summary>
internal sealed class QuoteBody
{
    public string? From { get; set; }

    public string? To { get; set; }

    public string? Date { get; set; }

    public string? Mode { get; set; }

    public string? Incoterm { get; set; }

    public string? Currency { get; set; }

    public decimal? Shipping { get; set; }

    public decimal? Insurance { get; set; }

    public List<QuoteLineBody?>? Lines { get; set; }

    public LandedCostInput ToInput() => new(From, To, Date, Mode, Incoterm, Currency, Shipping, Insurance,
        Lines?.Select(l => l is null ? null : new LandedCostLineInput(l.HsCode, l.OriginCountry, l.Description, l.Quantity, l.UnitValue, l.WeightKg)).ToArray());
}

internal sealed class QuoteLineBody
{
    public string? HsCode { get; set; }

    public string? OriginCountry { get; set; }

    public string? Description { get; set; }

    public decimal? Quantity { get; set; }

    public decimal? UnitValue { get; set; }

    public decimal? WeightKg { get; set; }
}

/// <summary>
/// Source-generated JSON for the quote endpoint, the checkout's hot path: the same names and number handling as the
/// rest of the API (camelCase, numbers as numbers), without reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(LandedCostInput))]
[JsonSerializable(typeof(QuoteBody))]
[JsonSerializable(typeof(LandedCostView))]
internal sealed partial class LandedCostJson : JsonSerializerContext;
