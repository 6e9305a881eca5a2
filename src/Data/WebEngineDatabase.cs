using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace WebEngine.Data;

/// <summary>
/// Opens the daemon's SQLite database (WAL mode, migrated), hands out short-lived contexts, and gives its writers their
/// turns: SQLite has one writer at a time, and Microsoft.Data.Sqlite retries a write that found another connection
/// writing only after sleeping 150 ms, so every write in the daemon runs in <see cref="WriteAsync{T}"/>, one at a time,
/// and a write statement run outside it is refused (<see cref="SingleWriterCheck"/>).
/// </summary>
public sealed class WebEngineDatabase
{
    private readonly DbContextOptions<WebEngineDbContext> _options;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly AsyncLocal<bool> _writing = new();

    private WebEngineDatabase(string path, string connectionString)
    {
        Path = path;
        _options = new DbContextOptionsBuilder<WebEngineDbContext>().UseSqlite(connectionString).AddInterceptors(new SingleWriterCheck(this)).Options;
    }

    public string Path { get; }

    /// <summary>Whether the calling flow is inside <see cref="WriteAsync{T}"/> (or the migration at open).</summary>
    internal bool InWrite => _writing.Value;

    /// <summary>Opens (creating if needed) the database file, applies pending migrations and switches to WAL.</summary>
    public static WebEngineDatabase Open(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        var database = new WebEngineDatabase(path, connectionString);
        database._writer.Wait();
        database._writing.Value = true;
        try
        {
            using var context = database.CreateContext();
            // WAL lets the UI and the API read while the engine writes; the mode is stored in the file.
            context.Database.OpenConnection();
            context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
            // Migrate() also compares the model with the migrations' snapshot even when none is pending, which loads
            // EF's model differ (megabytes of code and type data kept for the daemon's life); the list of pending ones does not.
            if (context.Database.GetPendingMigrations().Any())
                context.Database.Migrate();
        }
        finally
        {
            // Open is no async method, so the flag would stay set in the caller's flow: it is cleared by hand.
            database._writing.Value = false;
            database._writer.Release();
        }
        // The database holds registry credentials (encrypted, see the engine's credential store): root only.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return database;
    }

    public WebEngineDbContext CreateContext() => new(_options);

    /// <summary>
    /// Runs <paramref name="write"/> when no other write runs, and no other write until it ends: what it reads in
    /// between is the state after one write and before the next.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        if (_writing.Value)
            throw new InvalidOperationException("a write inside a write would wait for itself");
        await _writer.WaitAsync(cancellationToken);
        try
        {
            _writing.Value = true;
            return await write();
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>As <see cref="WriteAsync{T}"/>, for a write with no result.</summary>
    public Task WriteAsync(Func<Task> write, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        await write();
        return true;
    }, cancellationToken);

    /// <summary>Saves the changes tracked in <paramref name="db"/> in its turn (one transaction).</summary>
    public Task<int> SaveChangesAsync(WebEngineDbContext db, CancellationToken cancellationToken) =>
        WriteAsync(() => db.SaveChangesAsync(cancellationToken), cancellationToken);
}
