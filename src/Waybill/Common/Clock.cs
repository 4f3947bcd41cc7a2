namespace Waybill.Common;

public static class Clock
{
    /// <summary>The current instant in UTC, to the microsecond: the precision both databases keep.</summary>
    public static DateTimeOffset UtcNow(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }
}
