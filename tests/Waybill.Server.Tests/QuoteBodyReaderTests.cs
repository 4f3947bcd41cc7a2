using System.Buffers;
using System.Text;
using System.Text.Json;
using Waybill.Customs;
using Waybill.Server;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>
/// The quote endpoint's fast reader reads the ordinary body exactly as the source-generated reader does, and leaves
/// everything else to it (so the API accepts and refuses the same bodies, with the same messages).
/// </summary>
public sealed class QuoteBodyReaderTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("""{"from": "CN", "to": "DE", "date": "2026-03-02", "mode": "courier", "incoterm": "DDP", "currency": "EUR", "shipping": 4.5, "insurance": 1, "lines": [{"hsCode": "6109.10", "originCountry": "CN", "description": "T-shirt", "quantity": 2, "unitValue": 12.5, "weightKg": 0.2}]}""")]
    [InlineData("""{"lines": [{"hsCode": "691200", "originCountry": "CN", "quantity": 1, "unitValue": 10, "weightKg": 0.3}, null, {"description": "é ×"}], "shipping": null, "from": "US", "to": "GB", "incoterm": "DAP", "currency": "USD"}""")]
    [InlineData("""{"from": "CN", "from": "VN", "lines": null}""")]
    [InlineData("""{}""")]
    public void An_ordinary_body_reads_as_the_generated_reader_reads_it(string body)
    {
        Assert.True(QuoteBodyReader.TryRead(Bytes(body), out var fast));

        var full = JsonSerializer.Deserialize(body, LandedCostJson.Default.QuoteBody)!.ToInput();
        Assert.Equal(JsonSerializer.Serialize(full, Web), JsonSerializer.Serialize(fast, Web));
    }

    [Theory]
    [InlineData("""{"From": "CN"}""")]
    [InlineData("""{"from": "CN", "colour": "red"}""")]
    [InlineData("""{"shipping": "1"}""")]
    [InlineData("""{"lines": [{"quantity": "2"}]}""")]
    [InlineData("""{"lines": [{"hsCode": 610910}]}""")]
    [InlineData("""{"lines": {}}""")]
    [InlineData("""{"shipping": 1e400}""")]
    [InlineData("""{"from": "CN",}""")]
    [InlineData("""{"from": "CN"} x""")]
    [InlineData("""[]""")]
    [InlineData("""{""")]
    public void Anything_else_is_left_to_the_generated_reader(string body)
    {
        Assert.False(QuoteBodyReader.TryRead(Bytes(body), out _));
    }

    private static ReadOnlySequence<byte> Bytes(string body) => new(Encoding.UTF8.GetBytes(body));
}
