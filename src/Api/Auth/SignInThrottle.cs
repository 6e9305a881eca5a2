using System.Collections.Concurrent;
using System.Net;

namespace WebEngine.Api.Auth;

/// <summary>
/// Slows down password guessing on the HTTP listener, in memory: after <see cref="AuthOptions.SignInFailureLimit"/>
/// wrong passwords for a user name (or four times as many from one address, which catches one guess spread over many
/// names) further attempts are refused without checking the password, for a lockout that doubles with each further
/// failure up to <see cref="MaxLockout"/>. A successful sign-in clears both counts; a count is forgotten after
/// <see cref="Memory"/> without failures.
/// </summary>
public sealed class SignInThrottle(AuthOptions options, TimeProvider clock)
{
    /// <summary>How long a lockout can grow.</summary>
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);

    /// <summary>How long failures are remembered once they stop.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(30);

    /// <summary>Above this many tracked names and addresses, forgotten entries are swept (the map cannot grow without bound).</summary>
    private const int SweepAbove = 10_000;

    private const int AddressFactor = 4;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>When the user name or the address is locked out: how long until the next attempt is allowed; null when it is allowed now.</summary>
    public TimeSpan? RetryAfter(string userName, IPAddress? address)
    {
        var now = clock.GetUtcNow();
        var wait = new[] { Find(UserKey(userName)), Find(AddressKey(address)) }
            .Select(e => e is null ? TimeSpan.Zero : e.LockedUntil(now) - now)
            .Max();
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>Counts a wrong password against the user name and the address.</summary>
    public void Failed(string userName, IPAddress? address)
    {
        var now = clock.GetUtcNow();
        Count(UserKey(userName), options.SignInFailureLimit, now);
        Count(AddressKey(address), options.SignInFailureLimit * AddressFactor, now);
        if (_entries.Count > SweepAbove)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.Forgotten(now))
                    _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>A right password: the user name and the address start again from zero.</summary>
    public void Succeeded(string userName, IPAddress? address)
    {
        _entries.TryRemove(UserKey(userName), out _);
        _entries.TryRemove(AddressKey(address), out _);
    }

    private Entry? Find(string key) => _entries.TryGetValue(key, out var entry) ? entry : null;

    private void Count(string key, int limit, DateTimeOffset now)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        entry.Fail(now, Math.Max(1, limit), TimeSpan.FromSeconds(Math.Max(1, options.SignInLockoutSeconds)));
    }

    private static string UserKey(string userName) => "user:" + userName;

    private static string AddressKey(IPAddress? address) => "address:" + (address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address);

    private sealed class Entry
    {
        private readonly Lock _gate = new();
        private int _failures;
        private DateTimeOffset _lastFailure;
        private DateTimeOffset _lockedUntil;

        public DateTimeOffset LockedUntil(DateTimeOffset now)
        {
            lock (_gate)
                return IsForgotten(now) ? DateTimeOffset.MinValue : _lockedUntil;
        }

        public bool Forgotten(DateTimeOffset now)
        {
            lock (_gate)
                return IsForgotten(now);
        }

        public void Fail(DateTimeOffset now, int limit, TimeSpan lockout)
        {
            lock (_gate)
            {
                if (IsForgotten(now))
                    _failures = 0;
                _failures++;
                _lastFailure = now;
                if (_failures >= limit)
                {
                    var doublings = Math.Min(_failures - limit, 20);
                    _lockedUntil = now + TimeSpan.FromTicks(Math.Min(lockout.Ticks << doublings, MaxLockout.Ticks));
                }
            }
        }

        private bool IsForgotten(DateTimeOffset now) => now - _lastFailure > Memory && now >= _lockedUntil;
    }
}
