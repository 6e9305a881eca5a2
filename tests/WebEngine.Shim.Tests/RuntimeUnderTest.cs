using WebEngine.TestSupport;

namespace WebEngine.Shim.Tests;

/// <summary>The OCI runtimes the shim tests run against: Debian's runc, and ours (WEBENGINE_RUNTIME or the published binary).</summary>
public static class RuntimeUnderTest
{
    public const string Runc = "runc";
    public const string WebEngine = "webengine-runtime";

    public static TheoryData<string> All => new() { Runc, WebEngine };

    public static string PathOf(string runtime) => runtime switch
    {
        Runc => Prerequisites.RequireProgram("runc", "runc"),
        WebEngine => RepoPaths.RuntimeBinary,
        _ => throw new ArgumentOutOfRangeException(nameof(runtime), runtime, "unknown runtime"),
    };
}
