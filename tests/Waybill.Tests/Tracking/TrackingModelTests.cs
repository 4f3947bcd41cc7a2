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
            foreach (var code in doc.RootElement.GetProperty("codes").EnumerateObject())
            {
                if (code.Value.TryGetProperty("exception", out var x) && x.ValueKind == JsonValueKind.String)
                {
                    Assert.True(reasons.Contains(x.GetString()), $"{Path.GetFileName(file)} {code.Name}: unknown exception reason {x.GetString()}");
                }
            }
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
