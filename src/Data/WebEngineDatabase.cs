using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace WebEngine.Data;

/// <summary>Opens the daemon's SQLite database (WAL mode, migrated) and hands out short-lived contexts.</summary>
public sealed class WebEngineDatabase
{
    private readonly DbContextOptions<WebEngineDbContext> _options;

    private WebEngineDatabase(DbContextOptions<WebEngineDbContext> options) => _options = options;

    public string Path { get; private init; } = "";

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
        var options = new DbContextOptionsBuilder<WebEngineDbContext>().UseSqlite(connectionString).Options;
        var database = new WebEngineDatabase(options) { Path = path };
        using (var context = database.CreateContext())
        {
            // WAL lets the UI and the API read while the engine writes; the mode is stored in the file.
            context.Database.OpenConnection();
            context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
            // Migrate() also compares the model with the migrations' snapshot even when none is pending, which loads
            // EF's model differ (megabytes of code and type data kept for the daemon's life); the list of pending ones does not.
            if (context.Database.GetPendingMigrations().Any())
                context.Database.Migrate();
        }
        // The database holds registry credentials (encrypted, see the engine's credential store): root only.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return database;
    }

    public WebEngineDbContext CreateContext() => new(_options);
}
