namespace WebEngine.Runtime.Cgroups;

/// <summary>A container's cgroup in the unified (cgroup2) hierarchy.</summary>
internal sealed class CgroupV2Manager : ICgroupManager
{
    private static readonly TimeSpan FreezeTimeout = TimeSpan.FromSeconds(10);

    private readonly CgroupMount _mount;
    private readonly string _directory;
    private readonly List<string> _created = [];

    public CgroupV2Manager(string path, CgroupMount unified, IReadOnlyDictionary<string, string> callerCgroups)
    {
        Path = path;
        _mount = unified;
        _directory = CgroupPath.Directory(unified, path, callerCgroups);
        Directories = new Dictionary<string, string>(StringComparer.Ordinal) { [""] = _directory };
    }

    public string Path { get; }

    public CgroupVersion Version => CgroupVersion.V2;

    public IReadOnlyDictionary<string, string> Directories { get; }

    /// <summary>
    /// Creates each level and, in every level above the container's, enables all the controllers
    /// the level has: a cgroup2 child only gets the controllers its parent delegates to it.
    /// </summary>
    public void Create()
    {
        var parent = _mount.MountPoint;
        foreach (var level in CgroupDirectory.Levels(_mount.MountPoint, _directory))
        {
            EnableControllers(parent);
            if (CgroupDirectory.Create(level))
                _created.Add(level);
            parent = level;
        }
    }

    private static void EnableControllers(string directory)
    {
        var available = (CgroupFile.ReadIfExists(directory, "cgroup.controllers") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var enabled = (CgroupFile.ReadIfExists(directory, "cgroup.subtree_control") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var missing = available.Except(enabled).ToList();
        if (missing.Count == 0)
            return;
        try
        {
            CgroupFile.Write(directory, "cgroup.subtree_control", string.Join(' ', missing.Select(c => "+" + c)));
        }
        catch (CgroupException)
        {
            // One controller can be refused (e.g. cpu while a realtime task runs in the parent):
            // enable the others one by one; a limit on the refused one then fails with its file name.
            foreach (var controller in missing)
            {
                try
                {
                    CgroupFile.Write(directory, "cgroup.subtree_control", "+" + controller);
                }
                catch (CgroupException)
                {
                }
            }
        }
    }

    public void AddProcess(int pid) =>
        CgroupFile.Write(_directory, "cgroup.procs", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public (string? CloneInto, IReadOnlyList<string> MoveSelfInto) Placement => (_directory, []);

    public void Apply(Oci.LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        CgroupV2Resources.Apply(_directory, UnsetZeros.Normalize(resources));
    }

    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    public bool IsFrozen() => ReadFrozenEvent() == true;

    /// <summary>cgroup.events' "frozen" line: the kernel sets it once every task is really stopped.</summary>
    private bool? ReadFrozenEvent()
    {
        var events = CgroupFile.ReadKeyValues(_directory, "cgroup.events");
        return events.TryGetValue("frozen", out var frozen) ? frozen == 1 : null;
    }

    private void SetFrozen(bool frozen)
    {
        if (!CgroupFile.Exists(_directory, "cgroup.freeze"))
            throw new CgroupException($"{_directory}/cgroup.freeze is missing: the cgroup2 freezer needs Linux 5.2 or later");
        CgroupFile.Write(_directory, "cgroup.freeze", frozen ? "1" : "0");
        var deadline = DateTime.UtcNow + FreezeTimeout;
        var delay = 1;
        while (ReadFrozenEvent() != frozen)
        {
            if (DateTime.UtcNow > deadline)
            {
                if (frozen)
                    CgroupFile.Write(_directory, "cgroup.freeze", "0");
                throw new CgroupException($"{_directory}/cgroup.events does not report \"frozen {(frozen ? 1 : 0)}\" {FreezeTimeout.TotalSeconds} s after writing cgroup.freeze");
            }
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }

    public IReadOnlyList<int> GetPids() => CgroupFile.ReadProcsRecursive(_directory);

    public CgroupStats GetStats() => CgroupV2Stats.Read(_directory);

    public void Remove()
    {
        CgroupDirectory.RemoveTree(_directory);
        // Parents such as /webengine are shared with other containers: remove only the ones this
        // manager created, and only once they hold no other cgroup.
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            if (CgroupDirectory.TryRemoveEmpty(_created[i]))
                _created.RemoveAt(i);
        }
    }
}
