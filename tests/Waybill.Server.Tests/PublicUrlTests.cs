using Xunit;

namespace Waybill.Server.Tests;

/// <summary>Where the tracking links in notifications point when <c>--public-url</c> is not given: where the server listens.</summary>
public sealed class PublicUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080")]
    [InlineData("http://0.0.0.0:8080;https://0.0.0.0:8443", "http://localhost:8080")]
    [InlineData("http://+:5005", "http://localhost:5005")]
    [InlineData("http://*:80", "http://localhost")]
    [InlineData("https://[::]:8443", "https://localhost:8443")]
    [InlineData(" https://shop.example:443/ ", "https://shop.example")]
    public void The_tracking_links_follow_the_first_listening_address(string urls, string expected) =>
        Assert.Equal(expected, NotificationConfiguration.ListenUrl(urls));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ftp://files.example")]
    public void Without_a_usable_address_the_default_stays(string? urls) =>
        Assert.Null(NotificationConfiguration.ListenUrl(urls));
}
