using System.Text.Json;
using Waybill.Common;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Tracking;

public sealed class TrackingModelTests
{
    private static JsonElement Model()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ReferenceData.PathOf("tracking", "model.json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void The_milestones_in_code_are_the_ones_in_the_model_data_in_the_same_rank_order()
    {
        var data = Model().GetProperty("milestones").EnumerateArray().OrderBy(m => m.GetProperty("rank").GetInt32()).Select(m => m.GetProperty("code").GetString());

        Assert.Equal(data, Enum.GetValues<Milestone>().Select(TrackingNames.Of));
    }

    [Fact]
    public void The_statuses_in_code_are_the_ones_in_the_model_data()
    {
        var data = Model().GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("code").GetString()).Order();

        Assert.Equal(data, Enum.GetValues<TrackingStatus>().Select(TrackingNames.Of).Order());
    }

    [Fact]
    public void Every_mapping_file_loads_and_uses_only_known_exception_reasons()
    {
        var reasons = Model().GetProperty("exceptionReasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToHashSet();
        var mapping = EventMapping.Default;

        Assert.Contains("s10", mapping.Carriers);
        Assert.True(mapping.Carriers.Count() >= 20);
        foreach (var file in Directory.EnumerateFiles(ReferenceData.PathOf("tracking", "events"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (!doc.RootElement.TryGetProperty("codes", out var codes))
            {
                Assert.True(doc.RootElement.TryGetProperty("sameCodesAs", out _), $"{Path.GetFileName(file)} has neither codes nor sameCodesAs");
                continue;
            }
            foreach (var code in codes.EnumerateObject())
            {
                if (code.Value.TryGetProperty("exception", out var x) && x.ValueKind == JsonValueKind.String)
                {
                    Assert.True(reasons.Contains(x.GetString()), $"{Path.GetFileName(file)} {code.Name}: unknown exception reason {x.GetString()}");
                }
            }
        }
    }

    [Theory]
    [InlineData("sbx-post-cn", "EMD", "arrived_destination_country")]
    [InlineData("sbx-post-de", "EMI", "delivered")]
    [InlineData("sbx-express", "IMP", "at_import_customs")]
    [InlineData("sbx-local-fr", "DLV", "delivered")]
    [InlineData("sbx-oceanway", "DEP", "departed_origin_country")]
    public void Sandbox_carriers_are_known_and_their_codes_mapped(string carrier, string code, string milestone)
    {
        Assert.Equal(carrier, Carriers.Canonical(carrier.ToUpperInvariant()));
        Assert.Equal(milestone, EventMapping.Default.Find(carrier, code)?.Milestone is { } m ? TrackingNames.Of(m) : null);
    }

    [Fact]
    public void Every_sandbox_carrier_of_the_catalogue_has_event_codes()
    {
        foreach (var carrier in Waybill.Shipping.Sandbox.SandboxCatalogue.Default.Carriers)
        {
            Assert.True(EventMapping.Default.Carriers.Contains(carrier.Code), $"{carrier.Code} has no event codes in data/tracking/events");
        }
    }

    [Theory]
    [InlineData("EMA", "in_transit", "posted")]
    [InlineData("EMC", "in_transit", "departed_origin_country")]
    [InlineData("EMD", "in_transit", "arrived_destination_country")]
    [InlineData("EDB", "in_transit", "at_import_customs")]
    [InlineData("EMG", "in_transit", "at_delivery_office")]
    [InlineData("EMH", "failed_attempt", "delivery_attempted")]
    [InlineData("EMI", "delivered", "delivered")]
    public void Upu_codes_map_to_the_cross_border_milestones(string code, string status, string milestone)
    {
        var entry = EventMapping.Default.Find("s10", code);

        Assert.NotNull(entry);
        Assert.Equal(status, TrackingNames.Of(entry.Status));
        Assert.Equal(milestone, entry.Milestone is { } m ? TrackingNames.Of(m) : null);
    }
}
