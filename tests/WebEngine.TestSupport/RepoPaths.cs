namespace WebEngine.TestSupport;

/// <summary>Locations the tests need: the repository, `../shared/`, and the published binaries.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The directory that holds WebEngine.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The `shared/` directory beside the repository (test images, references), or WEBENGINE_SHARED (for git worktrees elsewhere).</summary>
    public static string Shared => Environment.GetEnvironmentVariable("WEBENGINE_SHARED") is { Length: > 0 } shared
        ? shared
        : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string SharedImage(string fileName)
    {
        var path = Path.Combine(Shared, "images", fileName);
        Prerequisites.RequireFile(path, $"the test image {fileName}, which lives in shared/images beside the repository");
        return path;
    }

    /// <summary>The NativeAOT runtime binary, published by `./dev.sh build` (or WEBENGINE_RUNTIME).</summary>
    public static string RuntimeBinary => PublishedBinary("webengine-runtime", "WEBENGINE_RUNTIME");

    /// <summary>The NativeAOT shim binary, published by `./dev.sh build` (or WEBENGINE_SHIM).</summary>
    public static string ShimBinary => PublishedBinary("webengine-shim", "WEBENGINE_SHIM");

    /// <summary>The daemon as `./dev.sh daemon` runs it (Release, ReadyToRun), published by `./dev.sh build`.</summary>
    public static string PublishedDaemon
    {
        get
        {
            var path = Path.Combine(Root, "artifacts", "publish", "webengine", "webengine.dll");
            Prerequisites.RequireFile(path, "the daemon published as users run it: run `./dev.sh build` (or `./dev.sh publish-daemon`) first");
            return path;
        }
    }

    private static string PublishedBinary(string name, string environmentVariable)
    {
        var path = Environment.GetEnvironmentVariable(environmentVariable);
        if (string.IsNullOrEmpty(path))
            path = Path.Combine(Root, "artifacts", "publish", name, "release", name);
        Prerequisites.RequireFile(path, $"{name} published with NativeAOT: run `./dev.sh build` first");
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WebEngine.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"WebEngine.sln not found above {AppContext.BaseDirectory}");
    }
}
