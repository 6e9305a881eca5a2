using System.Diagnostics;

namespace WebEngine.TestSupport;

/// <summary>
/// The blunt end of a test's cleanup, after the engine's own remove has had its chance: kills the shims a state root
/// still lists, force-deletes what the runtimes still know, and removes a test's cgroup parent in every hierarchy.
/// </summary>
public static class EngineLeftovers
{
    public static void Clean(string shimsDirectory, IEnumerable<(string Name, string Binary)> runtimes, string runtimeStateDirectory, string cgroupParent)
    {
        KillShims(shimsDirectory);
        foreach (var (name, binary) in runtimes.Where(r => File.Exists(r.Binary)))
            DeleteRuntimeContainers(binary, Path.Combine(runtimeStateDirectory, name));
        RemoveCgroupParent(cgroupParent);
    }

    public static void KillShims(string shimsDirectory)
    {
        if (!Directory.Exists(shimsDirectory))
            return;
        foreach (var pidFile in Directory.EnumerateFiles(shimsDirectory, "shim.pid", SearchOption.AllDirectories))
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }
    }

    public static void DeleteRuntimeContainers(string runtime, string root)
    {
        if (!Directory.Exists(root))
            return;
        foreach (var id in Directory.EnumerateDirectories(root).Select(Path.GetFileName))
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["--root", root, "delete", "--force", id!])
                { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
        }
    }

    public static void RemoveCgroupParent(string parent)
    {
        foreach (var hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup").Prepend("/sys/fs/cgroup"))
        {
            var path = hierarchy + parent;
            if (!Directory.Exists(path))
                continue;
            foreach (var child in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(path))
            {
                try
                {
                    Directory.Delete(child);
                }
                catch (Exception e) when (e is DirectoryNotFoundException or IOException)
                {
                    // cpu and cpuacct share one hierarchy under two names: removed already.
                }
            }
        }
    }
}
