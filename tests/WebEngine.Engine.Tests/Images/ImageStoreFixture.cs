using WebEngine.Data;
using WebEngine.Engine.Images;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

/// <summary>A fresh data root with its own SQLite database and image service; everything is removed on dispose.</summary>
internal sealed class ImageStoreFixture : IDisposable
{
    private readonly TempDirectory _root = new("webengine-img");

    public ImageStoreFixture(bool forceCopy = false, IImageUsage? usage = null, IReadOnlyCollection<string>? insecure = null, int pushChunkSize = 16 << 20,
        long stagingLimit = 0, string? tmpfsSize = null)
    {
        Prerequisites.RequireRoot();
        Options = new ImageStoreOptions
        {
            DataRoot = _root.Combine("data"), ForceCopyRootfs = forceCopy, InsecureRegistries = insecure ?? [], PushChunkSize = pushChunkSize,
            StagingLimit = stagingLimit,
        };
        if (tmpfsSize is not null)
        {
            // A small file system of its own for the data root (unmounted by the temp directory's dispose).
            Directory.CreateDirectory(Options.DataRoot);
            FileSystemInterop.Mount("tmpfs", Options.DataRoot, "tmpfs", 0, $"size={tmpfsSize}");
        }
        Database = WebEngineDatabase.Open(Path.Combine(Options.DataRoot, "webengine.db"));
        Images = new ImageService(Options, Database, usage);
    }

    public ImageStoreOptions Options { get; }
    public WebEngineDatabase Database { get; }
    public ImageService Images { get; }
    public string DataRoot => Options.DataRoot;

    /// <summary>A scratch directory beside the data root (for archives the test builds).</summary>
    public string Scratch(string name)
    {
        var path = _root.Combine(name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Every file and directory under the layers directory, except the short links.</summary>
    public IReadOnlyList<string> LayerDirectories() =>
        Directory.EnumerateDirectories(Path.Combine(DataRoot, "layers")).Select(Path.GetFileName).Where(n => n != "l").ToList()!;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _root.Dispose();
    }
}
