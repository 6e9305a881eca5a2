namespace WebEngine.TestSupport;

/// <summary>Checks that fail a test with what to install, instead of skipping it silently.</summary>
public static class Prerequisites
{
    public static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
            throw new PrerequisiteMissingException($"{path} is missing: this test needs {what}.");
    }

    public static void RequireRoot()
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && getuid() != 0)
            throw new PrerequisiteMissingException("this test needs root (namespaces, mounts, cgroups): run the suite as root.");
    }

    /// <summary>Finds a program on PATH or fails with the Debian package that provides it.</summary>
    public static string RequireProgram(string name, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new PrerequisiteMissingException($"{name} is not on PATH: install it with `apt-get install {debianPackage}`.");
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint getuid();
}

/// <summary>A test's prerequisite is not installed; the message says what to install.</summary>
public sealed class PrerequisiteMissingException(string message) : Exception(message);
