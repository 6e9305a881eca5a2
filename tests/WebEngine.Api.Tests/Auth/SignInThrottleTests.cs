using System.Net;
using WebEngine.Api.Auth;

namespace WebEngine.Api.Tests.Auth;

/// <summary>The sign-in throttle's counting and lockouts, on a clock the test moves.</summary>
public sealed class SignInThrottleTests
{
    private static readonly IPAddress Here = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress There = IPAddress.Parse("192.0.2.2");

    private readonly ManualClock _clock = new();
    private readonly SignInThrottle _throttle;

    public SignInThrottleTests() => _throttle = new SignInThrottle(new AuthOptions { SignInFailureLimit = 5, SignInLockoutSeconds = 30 }, _clock);

    [Fact]
    public void TheLimitLocksTheUserOutForALockoutThatDoublesWithEachFurtherFailure()
    {
        FailTimes("tina", Here, 4);
        Assert.Null(_throttle.RetryAfter("tina", Here));
        _throttle.Failed("tina", Here);
        Assert.Equal(TimeSpan.FromSeconds(30), _throttle.RetryAfter("tina", Here));
        Assert.Equal(TimeSpan.FromSeconds(30), _throttle.RetryAfter("tina", There));
        Assert.Null(_throttle.RetryAfter("other", Here));

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(_throttle.RetryAfter("tina", Here));
        _throttle.Failed("tina", Here);
        Assert.Equal(TimeSpan.FromSeconds(60), _throttle.RetryAfter("tina", Here));
        _clock.Advance(TimeSpan.FromSeconds(60));
        FailTimes("tina", Here, 10);
        Assert.Equal(SignInThrottle.MaxLockout, _throttle.RetryAfter("tina", Here));
    }

    [Fact]
    public void ASuccessfulSignInClearsTheCounts()
    {
        FailTimes("tina", Here, 4);
        _throttle.Succeeded("tina", Here);
        FailTimes("tina", Here, 4);
        Assert.Null(_throttle.RetryAfter("tina", Here));
    }

    [Fact]
    public void FailuresAreForgottenAfterAQuietWhile()
    {
        FailTimes("tina", Here, 4);
        _clock.Advance(SignInThrottle.Memory + TimeSpan.FromSeconds(1));
        FailTimes("tina", Here, 4);
        Assert.Null(_throttle.RetryAfter("tina", Here));
    }

    [Fact]
    public void OneAddressGuessingManyNamesIsLockedOutForEveryName()
    {
        for (var i = 0; i < 20; i++)
            _throttle.Failed($"user{i}", Here);
        Assert.Equal(TimeSpan.FromSeconds(30), _throttle.RetryAfter("fresh-name", Here));
        Assert.Equal(TimeSpan.FromSeconds(30), _throttle.RetryAfter("fresh-name", IPAddress.Parse("192.0.2.1").MapToIPv6()));
        Assert.Null(_throttle.RetryAfter("fresh-name", There));
    }

    private void FailTimes(string user, IPAddress address, int times)
    {
        for (var i = 0; i < times; i++)
            _throttle.Failed(user, address);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
