namespace WebEngine.Runtime.Spec;

/// <summary>RLIMIT_* names and their resource numbers, from asm-generic/resource.h.</summary>
public static class RlimitNames
{
    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>The resource number of <paramref name="name"/>, or -1 when unknown.</summary>
    public static int Number(string name) => Array.IndexOf(Names, name);
}
