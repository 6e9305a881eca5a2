using System.Diagnostics;

namespace WebEngine.TestSupport;

/// <summary>Builds a minimal root filesystem from Debian's static busybox (package busybox-static).</summary>
public static class BusyboxRootfs
{
    private const string BusyboxPath = "/bin/busybox";

    /// <summary>Creates rootfs at <paramref name="rootfs"/>: /bin/busybox, a symlink per applet, /etc/passwd and /etc/group.</summary>
    public static void Create(string rootfs)
    {
        RequireStaticBusybox();
        foreach (var dir in new[] { "bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "home", "var", "usr/bin", "usr/sbin" })
            Directory.CreateDirectory(Path.Combine(rootfs, dir));
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0b1_111_111_111);
        File.Copy(BusyboxPath, Path.Combine(rootfs, "bin", "busybox"), overwrite: true);
        foreach (var applet in Applets.Value)
        {
            var link = Path.Combine(rootfs, "bin", applet);
            if (applet != "busybox" && !Path.Exists(link))
                File.CreateSymbolicLink(link, "busybox");
        }
        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\nnobody:x:65534:\n");
    }

    private static readonly Lazy<string[]> Applets = new(() =>
    {
        var psi = new ProcessStartInfo(BusyboxPath, "--list") { RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    });

    private static void RequireStaticBusybox()
    {
        Prerequisites.RequireFile(BusyboxPath, "Debian's static busybox: `apt-get install busybox-static`");
        var psi = new ProcessStartInfo("/usr/bin/file", BusyboxPath) { RedirectStandardOutput = true };
        // A dynamically linked busybox would fail inside a rootfs that has no libc; say so clearly.
        if (File.Exists(psi.FileName))
        {
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (output.Contains("dynamically linked", StringComparison.Ordinal))
                throw new PrerequisiteMissingException($"{BusyboxPath} is dynamically linked: `apt-get install busybox-static`.");
        }
    }
}
