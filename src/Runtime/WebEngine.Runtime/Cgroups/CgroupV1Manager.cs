namespace WebEngine.Runtime.Cgroups;

/// <summary>
/// A container's cgroup on a v1 (or hybrid) host: one directory per mounted hierarchy. On hybrid
/// hosts the controllers stay in v1 and the cgroup2 mount only gets a directory for the process
/// (as runc does), so that tools that look at cgroup2 membership see the container.
/// </summary>
internal sealed class CgroupV1Manager : ICgroupManager
{
    private static readonly TimeSpan FreezeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FreezeStuckAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>Each distinct hierarchy: its mount and the container's directory in it.</summary>
    private readonly List<(CgroupMount Mount, string Directory)> _hierarchies = [];
    private readonly Dictionary<string, string> _directories = new(StringComparer.Ordinal);
    private readonly List<string> _created = [];
    private readonly List<string> _v1Directories = [];

    public CgroupV1Manager(string path, CgroupLayout layout, IReadOnlyDictionary<string, string> callerCgroups)
    {
        Path = path;
        foreach (var mount in layout.V1.Values.Distinct())
        {
            var directory = CgroupPath.Directory(mount, path, callerCgroups);
            _hierarchies.Add((mount, directory));
            _v1Directories.Add(directory);
            foreach (var controller in mount.Controllers)
                _directories[controller] = directory;
        }
        if (layout.Unified is { } unified && callerCgroups.ContainsKey(""))
        {
            var directory = CgroupPath.Directory(unified, path, callerCgroups);
            _hierarchies.Add((unified, directory));
            _directories[""] = directory;
        }
    }

    public string Path { get; }

    public CgroupVersion Version => _directories.ContainsKey("") ? CgroupVersion.Hybrid : CgroupVersion.V1;

    public IReadOnlyDictionary<string, string> Directories => _directories;

    public void Create()
    {
        foreach (var (mount, directory) in _hierarchies)
        {
            // The usual case, a parent that exists (/webengine), takes one mkdir; the levels above are made when it is
            // missing, and always in cpuset, where each level must hold its parent's cpus and mems.
            var cpuset = mount.Controllers.Contains("cpuset");
            if (!cpuset && CgroupDirectory.TryCreateInExistingParent(directory) is { } created)
            {
                if (created)
                    _created.Add(directory);
                continue;
            }
            foreach (var level in CgroupDirectory.Levels(mount.MountPoint, directory))
            {
                if (CgroupDirectory.Create(level))
                    _created.Add(level);
                if (cpuset)
                    InheritCpuset(level);
            }
        }
    }

    /// <summary>
    /// A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and a process cannot
    /// join it until both are set: copy them from the parent, level by level.
    /// </summary>
    private static void InheritCpuset(string directory)
    {
        var parent = System.IO.Path.GetDirectoryName(directory)!;
        foreach (var file in (string[])["cpuset.cpus", "cpuset.mems"])
        {
            if (string.IsNullOrWhiteSpace(CgroupFile.ReadIfExists(directory, file)))
            {
                var inherited = CgroupFile.ReadIfExists(parent, file);
                if (!string.IsNullOrWhiteSpace(inherited))
                    CgroupFile.Write(directory, file, inherited);
            }
        }
    }

    public void AddProcess(int pid)
    {
        foreach (var (_, directory) in _hierarchies)
            CgroupFile.Write(directory, "cgroup.procs", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public (string? CloneInto, IReadOnlyList<string> MoveSelfInto) Placement =>
        (_directories.GetValueOrDefault(""), _v1Directories);

    public void Apply(Oci.LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        CgroupV1Resources.Apply(_directories, UnsetZeros.Normalize(resources));
    }

    public void Freeze() => SetFreezerState("FROZEN");

    public void Thaw() => SetFreezerState("THAWED");

    public bool IsFrozen() => CgroupFile.ReadIfExists(Freezer, "freezer.state") == "FROZEN";

    private string Freezer => _directories.TryGetValue("freezer", out var directory)
        ? directory
        : throw new CgroupException($"cgroup {Path}: the freezer controller is not mounted, so the container cannot be paused");

    /// <summary>
    /// Writes the state and waits until the kernel reports it: freezing passes through FREEZING while tasks reach the
    /// refrigerator, and a task that was forking can need the write again. A freeze can also never finish: a task in
    /// execve waits, unfreezably, for its other threads to exit, and those are frozen (our own init just after start,
    /// a multi-threaded program that execs). So a freeze still FREEZING after <see cref="FreezeStuckAfter"/> is thawed,
    /// to let such a task through, and tried again.
    /// </summary>
    private void SetFreezerState(string state)
    {
        var directory = Freezer;
        var deadline = DateTime.UtcNow + FreezeTimeout;
        var stuckAt = DateTime.UtcNow + FreezeStuckAfter;
        var delay = 1;
        while (true)
        {
            CgroupFile.Write(directory, "freezer.state", state);
            var current = CgroupFile.ReadIfExists(directory, "freezer.state");
            if (current == state)
                return;
            if (DateTime.UtcNow > deadline)
            {
                if (state == "FROZEN")
                    CgroupFile.Write(directory, "freezer.state", "THAWED");
                throw new CgroupException($"{directory}/freezer.state is still {current} after writing {state} for {FreezeTimeout.TotalSeconds} s");
            }
            if (state == "FROZEN" && DateTime.UtcNow > stuckAt)
            {
                CgroupFile.Write(directory, "freezer.state", "THAWED");
                Thread.Sleep(10);
                stuckAt = DateTime.UtcNow + FreezeStuckAfter;
                delay = 1;
                continue;
            }
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }

    public IReadOnlyList<int> GetPids()
    {
        var directory = _directories.GetValueOrDefault("pids")
            ?? _directories.GetValueOrDefault("freezer")
            ?? _hierarchies[0].Directory;
        return CgroupFile.ReadProcsRecursive(directory);
    }

    public CgroupStats GetStats() => CgroupV1Stats.Read(_directories);

    public void Remove()
    {
        // Every hierarchy is tried even when one fails, so that one busy controller does not leave
        // the others behind; the first failure is reported.
        CgroupException? failure = null;
        foreach (var (_, directory) in _hierarchies)
        {
            try
            {
                CgroupDirectory.RemoveTree(directory);
            }
            catch (CgroupException e)
            {
                failure ??= e;
            }
        }
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        // Parents such as /webengine are shared with other containers: remove only the ones this
        // manager created, and only once they hold no other cgroup.
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            if (CgroupDirectory.TryRemoveEmpty(_created[i]))
                _created.RemoveAt(i);
        }
    }
}
