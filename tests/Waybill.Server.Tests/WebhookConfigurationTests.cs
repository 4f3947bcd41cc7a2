using Microsoft.Extensions.DependencyInjection;
using Waybill.Notifications;
using Xunit;

namespace Waybill.Server.Tests;

public sealed class WebhookConfigurationTests
{
    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "waybill-tests", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("", true)] // the embedded default: SQLite with the demo
    [InlineData("--no-demo", false)]
    [InlineData("--database Host=127.0.0.1;Username=waybill;Database=waybill", false)]
    [InlineData("--database Host=127.0.0.1;Username=waybill;Database=waybill --demo true", false)]
    [InlineData("--no-demo --allow-private-webhooks true", true)]
    [InlineData("--allow-private-webhooks false", false)]
    public async Task Private_webhook_addresses_are_allowed_in_the_embedded_default_only_unless_the_operator_says(string options, bool allowed)
    {
        var directory = NewDirectory();
        string[] args = ["--data-dir", directory, .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

        await using (var app = WaybillServer.Build(args))
        {
            Assert.Equal(allowed, app.Services.GetRequiredService<WebhookUrlPolicy>().AllowPrivate);
        }
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void A_value_that_is_not_true_or_false_is_refused()
    {
        var ex = Assert.Throws<ServerConfigurationException>(() => WaybillServer.Build(["--data-dir", NewDirectory(), "--allow-private-webhooks", "maybe"]));

        Assert.Contains("--allow-private-webhooks", ex.Message, StringComparison.Ordinal);
    }
}
