namespace WebEngine.Runtime.Cgroups;

/// <summary>How the host mounts cgroups.</summary>
public enum CgroupVersion
{
    /// <summary>One cgroup v1 hierarchy per controller (or group of controllers).</summary>
    V1,

    /// <summary>The unified cgroup2 hierarchy holds the controllers.</summary>
    V2,

    /// <summary>v1 hierarchies hold the controllers; a cgroup2 mount exists beside them (systemd's hybrid mode).</summary>
    Hybrid,
}
