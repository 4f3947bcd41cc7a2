using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Xunit;

namespace Waybill.Tests.Common;

public sealed class AcceleratedClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_real_minute_is_one_simulated_day_at_1440_times()
    {
        var real = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new AcceleratedClock(real, 1440, Start);
        var mark = clock.GetTimestamp();

        real.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start.AddDays(1), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromDays(1), clock.GetElapsedTime(mark));
    }

    [Fact]
    public void Timers_fire_after_the_simulated_delay_scaled_down()
    {
        var real = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new AcceleratedClock(real, 1440, Start);
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromHours(1), TimeSpan.FromHours(2));

        real.Advance(TimeSpan.FromSeconds(2.4));
        Assert.Empty(fired);
        real.Advance(TimeSpan.FromSeconds(0.1)); // 2.5 real seconds: one simulated hour
        real.Advance(TimeSpan.FromSeconds(5)); // then every 2 simulated hours (5 real seconds)

        Assert.Equal([Start.AddHours(1), Start.AddHours(3)], fired);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2_000_000)]
    public void A_speed_out_of_range_is_refused(double speed)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AcceleratedClock(TimeProvider.System, speed, Start));
    }
}
