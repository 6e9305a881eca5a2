using WebEngine.Oci;

namespace WebEngine.Engine.Bundles;

/// <summary>The parts of Docker's default Linux spec that do not depend on the container's configuration.</summary>
public static class ContainerDefaults
{
    public const string PathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Docker's default /dev/shm size: 64 MiB.</summary>
    public const long ShmSize = 64L * 1024 * 1024;

    /// <summary>Where the init binary (HostConfig.Init) appears inside the container, as in Docker.</summary>
    public const string InitPathInContainer = "/sbin/docker-init";

    /// <summary>
    /// /proc and /sys entries that reveal or change the host (kernel memory, keyrings, timers, firmware,
    /// power capping, interrupt counts): hidden from the container unless it is privileged.
    /// </summary>
    public static IReadOnlyList<string> MaskedPaths()
    {
        List<string> paths =
        [
            "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
            "/sys/devices/virtual/powercap", "/sys/firmware",
        ];
        // Thermal throttle counters leak the host's load; they exist per CPU only on some machines.
        foreach (var cpu in Directory.EnumerateDirectories("/sys/devices/system/cpu", "cpu*").Order(StringComparer.Ordinal))
        {
            var throttle = Path.Combine(cpu, "thermal_throttle");
            if (Directory.Exists(throttle) && Path.GetFileName(cpu)[3..].All(char.IsAsciiDigit))
                paths.Add(throttle);
        }
        return paths;
    }

    /// <summary>Kernel tunables and triggers a container may read but not write.</summary>
    public static readonly IReadOnlyList<string> ReadonlyPaths =
        ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>The filesystems every container gets, before user mounts override them.</summary>
    public static List<Mount> Mounts(long shmSize) =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
        new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
        new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["ro", "nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", $"size={shmSize}"] },
    ];

    /// <summary>
    /// The device cgroup: deny everything, then allow the devices every container has (null, zero,
    /// urandom, random, tty, console) and deny /dev/fuse explicitly. The runtime adds its own defaults
    /// after these (runc: full, ptmx and /dev/pts/*), and creates those device nodes itself.
    /// </summary>
    public static List<LinuxDeviceCgroup> DeviceRules() =>
    [
        new() { Allow = false, Access = "rwm" },
        Char(1, 5, allow: true),   // zero
        Char(1, 3, allow: true),   // null
        Char(1, 9, allow: true),   // urandom
        Char(1, 8, allow: true),   // random
        Char(5, 0, allow: true),   // tty
        Char(5, 1, allow: true),   // console
        Char(10, 229, allow: false), // fuse
    ];

    private static LinuxDeviceCgroup Char(long major, long minor, bool allow) =>
        new() { Allow = allow, Type = "c", Major = major, Minor = minor, Access = "rwm" };
}
