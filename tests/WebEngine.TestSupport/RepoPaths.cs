namespace WebEngine.TestSupport;

/// <summary>Locations the tests need: the repository, `../shared/`, and the published binaries.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The directory that holds WebEngine.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The `shared/` directory beside the repository (test images, references).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

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
