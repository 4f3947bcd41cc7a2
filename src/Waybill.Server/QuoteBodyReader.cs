using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Waybill.Customs;

namespace Waybill.Server;

/// <summary>
/// The quote endpoint's reader for the ordinary body: the documented field names in camelCase, strings, numbers,
/// nulls and the lines, in one pass over the bytes. Anything else (another spelling of a name, an unknown field, a
/// value of another JSON type, malformed JSON) is left to the source-generated reader, which accepts what the API
/// accepts and names what is wrong; this one only answers sooner for what it recognizes.
/// </summary>
internal static class QuoteBodyReader
{
    public static bool TryRead(ReadOnlySequence<byte> body, [NotNullWhen(true)] out LandedCostInput? input)
    {
        input = null;
        try
        {
            var json = new Utf8JsonReader(body);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            string? from = null, to = null, date = null, mode = null, incoterm = null, currency = null;
            decimal? shipping = null, insurance = null;
            List<LandedCostLineInput?>? lines = null;
            while (json.Read())
            {
                if (json.TokenType == JsonTokenType.EndObject)
                {
                    if (json.Read())
                    {
                        return false;
                    }
                    input = new LandedCostInput(from, to, date, mode, incoterm, currency, shipping, insurance, lines);
                    return true;
                }
                var known = json.TokenType == JsonTokenType.PropertyName && (
                    json.ValueTextEquals("from"u8) ? String(ref json, out from)
                    : json.ValueTextEquals("to"u8) ? String(ref json, out to)
                    : json.ValueTextEquals("date"u8) ? String(ref json, out date)
                    : json.ValueTextEquals("mode"u8) ? String(ref json, out mode)
                    : json.ValueTextEquals("incoterm"u8) ? String(ref json, out incoterm)
                    : json.ValueTextEquals("currency"u8) ? String(ref json, out currency)
                    : json.ValueTextEquals("shipping"u8) ? Number(ref json, out shipping)
                    : json.ValueTextEquals("insurance"u8) ? Number(ref json, out insurance)
                    : json.ValueTextEquals("lines"u8) && Lines(ref json, out lines));
                if (!known)
                {
                    return false;
                }
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Lines(ref Utf8JsonReader json, out List<LandedCostLineInput?>? lines)
    {
        lines = null;
        if (!json.Read())
        {
            return false;
        }
        if (json.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (json.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }
        lines = [];
        while (json.Read())
        {
            switch (json.TokenType)
            {
                case JsonTokenType.EndArray:
                    return true;
                case JsonTokenType.Null:
                    lines.Add(null);
                    break;
                case JsonTokenType.StartObject:
                    if (!Line(ref json, out var line))
                    {
                        return false;
                    }
                    lines.Add(line);
                    break;
                default:
                    return false;
            }
        }
        return false;
    }

    private static bool Line(ref Utf8JsonReader json, out LandedCostLineInput? line)
    {
        line = null;
        string? hsCode = null, origin = null, description = null;
        decimal? quantity = null, unitValue = null, weight = null;
        while (json.Read())
        {
            if (json.TokenType == JsonTokenType.EndObject)
            {
                line = new LandedCostLineInput(hsCode, origin, description, quantity, unitValue, weight);
                return true;
            }
            var known = json.TokenType == JsonTokenType.PropertyName && (
                json.ValueTextEquals("hsCode"u8) ? String(ref json, out hsCode)
                : json.ValueTextEquals("originCountry"u8) ? String(ref json, out origin)
                : json.ValueTextEquals("description"u8) ? String(ref json, out description)
                : json.ValueTextEquals("quantity"u8) ? Number(ref json, out quantity)
                : json.ValueTextEquals("unitValue"u8) ? Number(ref json, out unitValue)
                : json.ValueTextEquals("weightKg"u8) && Number(ref json, out weight));
            if (!known)
            {
                return false;
            }
        }
        return false;
    }

    private static bool String(ref Utf8JsonReader json, out string? value)
    {
        value = null;
        if (!json.Read())
        {
            return false;
        }
        if (json.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (json.TokenType != JsonTokenType.String)
        {
            return false;
        }
        value = json.GetString();
        return true;
    }

    private static bool Number(ref Utf8JsonReader json, out decimal? value)
    {
        value = null;
        if (!json.Read())
        {
            return false;
        }
        if (json.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (json.TokenType != JsonTokenType.Number || !json.TryGetDecimal(out var number))
        {
            return false;
        }
        value = number;
        return true;
    }
}
