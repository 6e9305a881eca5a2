using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Events;

namespace WebEngine.Engine.Events;

/// <summary>
/// The engine's events: stored in SQLite in the same transaction as the state change they describe, then streamed to
/// subscribers in the order they were committed. Commits take their turns with every other write to the database
/// (<see cref="WebEngineDatabase.WriteAsync{T}"/>), so the event order is the commit order.
/// </summary>
public sealed class EventLog
{
    private const int SubscriberQueue = 4096;

    private readonly WebEngineDatabase _database;
    private readonly int _retention;
    private readonly Lock _subscribersLock = new();
    private readonly List<Channel<EngineEvent>> _subscribers = [];
    private long _commitsSincePrune;

    public EventLog(WebEngineDatabase database, EngineOptions options)
    {
        _database = database;
        _retention = options.EventRetention;
    }

    /// <summary>Adds an event to <paramref name="db"/>; it is stored and published by the next <see cref="CommitAsync"/>.</summary>
    public static void Add(WebEngineDbContext db, string type, string action, string actorId, IReadOnlyDictionary<string, string> attributes)
    {
        db.Set<EventRecord>().Add(new EventRecord
        {
            Type = type,
            Action = action,
            ActorId = actorId,
            AttributesJson = JsonSerializer.Serialize(attributes),
            TimeNano = NowNanoseconds(),
        });
    }

    /// <summary>Saves every change in <paramref name="db"/> in one transaction, then publishes the events among them.</summary>
    public Task CommitAsync(WebEngineDbContext db, CancellationToken cancellationToken) => CommitAsync(db, null, cancellationToken);

    /// <summary>
    /// As <see cref="CommitAsync(WebEngineDbContext, CancellationToken)"/>, and runs <paramref name="committed"/> once the
    /// transaction is saved, before any later commit: what it updates in memory changes in the commit order.
    /// </summary>
    public Task CommitAsync(WebEngineDbContext db, Action? committed, CancellationToken cancellationToken) => _database.WriteAsync(async () =>
    {
        var added = db.ChangeTracker.Entries<EventRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        foreach (var record in added)
            record.TimeNano = NowNanoseconds();
        await db.SaveChangesAsync(cancellationToken);
        committed?.Invoke();
        foreach (var record in added)
            Publish(ToEvent(record));
        if (added.Count > 0 && ++_commitsSincePrune >= 1000)
        {
            _commitsSincePrune = 0;
            var last = added[^1].Id;
            await db.Set<EventRecord>().Where(e => e.Id <= last - _retention).ExecuteDeleteAsync(cancellationToken);
        }
    }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="read"/> while no commit (no write to the database at all) can happen: what it reads is the
    /// state after one commit and before the next, so an in-memory copy built from it can be kept current by the
    /// committed callbacks that follow.
    /// </summary>
    public Task<T> ReadBetweenCommitsAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken) => _database.WriteAsync(read, cancellationToken);

    /// <summary>Stores and publishes an event that goes with no other change (kill, exec_start, attach...).</summary>
    public async Task PublishAsync(string type, string action, string actorId, IReadOnlyDictionary<string, string> attributes,
        CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        Add(db, type, action, actorId, attributes);
        await CommitAsync(db, cancellationToken);
    }

    /// <summary>
    /// The event a prune ends with, as Moby's: no actor id, the bytes it freed in "reclaimed"; published even when
    /// nothing was removed.
    /// </summary>
    public Task PublishPruneAsync(string type, long reclaimed, CancellationToken cancellationToken) =>
        PublishAsync(type, "prune", "", new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            cancellationToken);

    /// <summary>Stored events between two times (nanoseconds since the epoch), oldest first.</summary>
    public async Task<IReadOnlyList<EngineEvent>> ListAsync(EventFilter filter, long? sinceNano, long? untilNano, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var query = db.Set<EventRecord>().AsNoTracking();
        if (sinceNano is { } since)
            query = query.Where(e => e.TimeNano >= since);
        if (untilNano is { } until)
            query = query.Where(e => e.TimeNano <= until);
        var records = await query.OrderBy(e => e.Id).ToListAsync(cancellationToken);
        return records.Select(ToEvent).Where(filter.Matches).ToList();
    }

    /// <summary>
    /// docker events: the stored events since <paramref name="sinceNano"/> (if given), then live ones as they are
    /// committed, until <paramref name="untilNano"/> passes or the token is cancelled. No event is missed or repeated
    /// between the stored and the live part.
    /// </summary>
    public async IAsyncEnumerable<EngineEvent> SubscribeAsync(EventFilter filter, long? sinceNano, long? untilNano,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(SubscriberQueue)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        });
        lock (_subscribersLock)
            _subscribers.Add(channel);
        try
        {
            long last = 0;
            if (sinceNano is not null)
            {
                foreach (var stored in await ListAsync(filter, sinceNano, untilNano, cancellationToken))
                {
                    last = stored.Sequence;
                    yield return stored;
                }
            }
            if (untilNano is { } until && until <= NowNanoseconds())
                yield break;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (untilNano is { } end)
                deadline.CancelAfter(TimeSpan.FromTicks(Math.Max(0, (end - NowNanoseconds()) / 100)));
            while (true)
            {
                EngineEvent next;
                try
                {
                    next = await channel.Reader.ReadAsync(deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                if (next.Sequence > last && filter.Matches(next))
                    yield return next;
            }
        }
        finally
        {
            lock (_subscribersLock)
                _subscribers.Remove(channel);
        }
    }

    private void Publish(EngineEvent e)
    {
        lock (_subscribersLock)
        {
            foreach (var subscriber in _subscribers)
                subscriber.Writer.TryWrite(e);
        }
    }

    private static EngineEvent ToEvent(EventRecord record) => new(
        record.Id, record.Type, record.Action,
        new EventActor(record.ActorId, JsonSerializer.Deserialize<Dictionary<string, string>>(record.AttributesJson) ?? []),
        record.Scope, record.TimeNano);

    private static long NowNanoseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}
