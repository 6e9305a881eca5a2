namespace WebEngine.Runtime.Cgroups;

/// <summary>
/// One mounted cgroup hierarchy: where it is mounted, which cgroup of the hierarchy is the mount's
/// root (not "/" inside a container with a cgroup namespace or a bind mount), and its controllers
/// (for v1, including named hierarchies such as "name=systemd"; empty for cgroup2).
/// </summary>
public sealed record CgroupMount(string MountPoint, string Root, IReadOnlyList<string> Controllers);
