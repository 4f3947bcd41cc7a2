namespace Waybill.Common;

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than the one under it, from <see cref="Start"/>: the sandbox
/// demo's simulated time (by default one simulated day per real minute, 1440 times). Everything that reads time in a
/// server running on it (ingest, milestones, notifications) agrees with it. Timers are scaled too: a timer due in one
/// simulated hour fires after 2.5 real seconds at 1440 times.
/// </summary>
public sealed class AcceleratedClock : TimeProvider
{
    private readonly TimeProvider _real;
    private readonly long _realStart;

    public AcceleratedClock(TimeProvider real, double speed, DateTimeOffset start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speed, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(speed, 1_000_000);
        _real = real;
        Speed = speed;
        Start = start;
        _realStart = real.GetTimestamp();
    }

    /// <summary>Simulated seconds per real second.</summary>
    public double Speed { get; }

    /// <summary>The simulated time when the clock was made.</summary>
    public DateTimeOffset Start { get; }

    public override TimeZoneInfo LocalTimeZone => _real.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => Start + (_real.GetElapsedTime(_realStart) * Speed);

    /// <summary>Simulated ticks: elapsed times measured with timestamps are simulated durations.</summary>
    public override long GetTimestamp() => (long)((_real.GetTimestamp() - _realStart) * Speed);

    public override long TimestampFrequency => _real.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _real.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan simulated) => simulated == Timeout.InfiniteTimeSpan ? simulated : simulated / Speed;
}
