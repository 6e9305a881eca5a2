using System.Globalization;
using System.Net;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Security;

namespace WebEngine.Engine.Containers;

/// <summary>
/// Checks a container's configuration before it is created, with Docker's rules and messages, so
/// that a bad request fails at create (400) instead of at start.
/// </summary>
public static class ContainerCreateValidator
{
    /// <summary>Docker's smallest memory limit and reservation: below it a container cannot start.</summary>
    public const long MinimumMemory = 6 * 1024 * 1024;

    private const int MaximumHostnameLength = 64;

    // Linux supports at most 8192 CPUs (NR_CPUS); a larger index is a typo, not a machine.
    private const int MaxCpusetIndex = 8191;
    private const long MinimumHealthDuration = 1_000_000; // 1 ms in nanoseconds

    private static readonly HashSet<string> IpcSysctls =
        ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"];

    private static readonly HashSet<string> UtsSysctls = ["kernel.domainname", "kernel.hostname"];

    /// <summary>Throws <see cref="InvalidArgumentException"/> for the first problem found.</summary>
    public static void Validate(ContainerConfig config, HostConfig host)
    {
        ValidateConfig(config);
        ValidateRestartPolicy(host);
        ValidateMemory(host);
        ValidateCpu(host);
        ValidateProcess(host);
        ValidateNetwork(host);
        NamespaceModes.Validate(host, config);
        LogConfig.Create(host.LogConfig.Type, host.LogConfig.Config);
        ValidateSysctls(host);
        ValidateDevices(host);
        CapabilitySet.Normalize(host.CapAdd, "CapAdd");
        CapabilitySet.Normalize(host.CapDrop, "CapDrop");
        var security = SecurityOptions.Parse(host.SecurityOpt);
        if (security.Seccomp == SeccompMode.Custom)
            SeccompProfileCompiler.Parse(security.SeccompProfileJson!);
        ContainerMounts.Resolve(host);
    }

    private static void ValidateConfig(ContainerConfig config)
    {
        if (config.Hostname is { Length: > MaximumHostnameLength })
            throw new InvalidArgumentException($"hostname \"{config.Hostname}\" is too long (maximum {MaximumHostnameLength} bytes)");
        foreach (var entry in config.Env)
        {
            if (ContainerConfigMerge.EnvKey(entry).Length == 0)
                throw new InvalidArgumentException($"invalid environment variable: {entry}");
        }
        if (!string.IsNullOrEmpty(config.StopSignal))
            Signals.Parse(config.StopSignal);
        if (config.StopTimeout is < -1)
            throw new InvalidArgumentException($"invalid StopTimeout {config.StopTimeout}: must be -1 (wait forever) or more");
        if (config.Healthcheck is { } health)
        {
            CheckHealthDuration(health.Interval, "Interval");
            CheckHealthDuration(health.Timeout, "Timeout");
            CheckHealthDuration(health.StartPeriod, "StartPeriod");
            CheckHealthDuration(health.StartInterval, "StartInterval");
            if (health.Retries < 0)
                throw new InvalidArgumentException("Retries in Healthcheck cannot be negative");
        }
    }

    private static void CheckHealthDuration(long nanoseconds, string field)
    {
        if (nanoseconds != 0 && nanoseconds < MinimumHealthDuration)
            throw new InvalidArgumentException($"{field} in Healthcheck cannot be less than 1ms");
    }

    private static void ValidateRestartPolicy(HostConfig host)
    {
        var policy = host.RestartPolicy;
        if (!policy.IsNone && !RestartPolicy.KnownNames.Contains(policy.Name))
            throw new InvalidArgumentException($"invalid restart policy: unknown policy '{policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        if (policy.MaximumRetryCount < 0)
            throw new InvalidArgumentException("invalid restart policy: maximum retry count cannot be negative");
        if (policy.MaximumRetryCount != 0 && policy.Name != "on-failure")
            throw new InvalidArgumentException("invalid restart policy: maximum retry count can only be used with 'on-failure'");
        if (host.AutoRemove && !policy.IsNone)
            throw new InvalidArgumentException("can't create 'AutoRemove' container with restart policy");
    }

    private static void ValidateMemory(HostConfig host)
    {
        if (host.Memory < 0)
            throw new InvalidArgumentException($"invalid memory limit {host.Memory}: must not be negative");
        if (host.Memory != 0 && host.Memory < MinimumMemory)
            throw new InvalidArgumentException("Minimum memory limit allowed is 6MB");
        if (host.MemorySwap < -1)
            throw new InvalidArgumentException($"invalid memory swap limit {host.MemorySwap}: must be -1 (unlimited) or more");
        if (host.Memory > 0 && host.MemorySwap > 0 && host.MemorySwap < host.Memory)
            throw new InvalidArgumentException("Minimum memoryswap limit should be larger than memory limit, see usage");
        if (host.Memory == 0 && host.MemorySwap > 0)
            throw new InvalidArgumentException("You should always set the Memory limit when using Memoryswap limit, see usage");
        if (host.MemorySwappiness is { } swappiness && swappiness != -1 && swappiness is < 0 or > 100)
            throw new InvalidArgumentException($"Invalid value: {swappiness}, valid memory swappiness range is 0-100");
        if (host.MemoryReservation < 0)
            throw new InvalidArgumentException($"invalid memory reservation {host.MemoryReservation}: must not be negative");
        if (host.MemoryReservation > 0 && host.MemoryReservation < MinimumMemory)
            throw new InvalidArgumentException("Minimum memory reservation allowed is 6MB");
        if (host.Memory > 0 && host.MemoryReservation > 0 && host.Memory < host.MemoryReservation)
            throw new InvalidArgumentException("Minimum memory limit can not be less than memory reservation limit, see usage");
        if (host.ShmSize < 0)
            throw new InvalidArgumentException("SHM size can not be less than 0");
    }

    private static void ValidateCpu(HostConfig host)
    {
        if (host.NanoCpus > 0 && host.CpuPeriod > 0)
            throw new InvalidArgumentException("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        if (host.NanoCpus > 0 && host.CpuQuota > 0)
            throw new InvalidArgumentException("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        var cpus = Environment.ProcessorCount;
        if (host.NanoCpus < 0 || host.NanoCpus > cpus * 1_000_000_000L)
            throw new InvalidArgumentException($"range of CPUs is from 0.01 to {cpus}.00, as there are only {cpus} CPUs available");
        if (host.CpuPeriod != 0 && host.CpuPeriod is < 1000 or > 1_000_000)
            throw new InvalidArgumentException("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        if (host.CpuQuota > 0 && host.CpuQuota < 1000)
            throw new InvalidArgumentException("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        if (host.CpuShares < 0)
            throw new InvalidArgumentException($"invalid CPU shares {host.CpuShares}: must not be negative");
        CheckCpuset(host.CpusetCpus, "cpus", "CPUs", "/sys/devices/system/cpu/online");
        CheckCpuset(host.CpusetMems, "mems", "memory nodes", "/sys/devices/system/node/online");
    }

    private static void CheckCpuset(string? requested, string what, string description, string onlinePath)
    {
        if (string.IsNullOrEmpty(requested))
            return;
        var wanted = ParseCpuList(requested, what);
        // A machine without the sysfs list (no NUMA support) has only node 0.
        var online = File.Exists(onlinePath) ? File.ReadAllText(onlinePath).Trim() : "0";
        if (!wanted.IsSubsetOf(ParseCpuList(online, what)))
            throw new InvalidArgumentException($"Requested {description} are not available - requested {requested}, available: {online}");
    }

    /// <summary>Parses a cpuset list such as "0-2,4".</summary>
    public static SortedSet<int> ParseCpuList(string list, string what)
    {
        var result = new SortedSet<int>();
        foreach (var part in list.Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2 || !bounds.All(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new InvalidArgumentException($"Invalid value {list} for cpuset {what}");
            var low = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var high = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            if (high < low || high > MaxCpusetIndex)
                throw new InvalidArgumentException($"Invalid value {list} for cpuset {what}");
            for (var i = low; i <= high; i++)
                result.Add(i);
        }
        return result;
    }

    private static void ValidateProcess(HostConfig host)
    {
        if (host.OomScoreAdj is < -1000 or > 1000)
            throw new InvalidArgumentException($"Invalid value {host.OomScoreAdj}, range for oom score adj is [-1000, 1000]");
        foreach (var ulimit in host.Ulimits)
        {
            if (!Ulimit.Resources.ContainsKey(ulimit.Name))
                throw new InvalidArgumentException($"invalid ulimit type: {ulimit.Name}");
            if (ulimit.Soft < -1 || ulimit.Hard < -1)
                throw new InvalidArgumentException($"invalid ulimit {ulimit.Name}: values must be -1 (unlimited) or more, got {ulimit.Soft}:{ulimit.Hard}");
            if (Ulimit.ToRlimitValue(ulimit.Soft) > Ulimit.ToRlimitValue(ulimit.Hard))
                throw new InvalidArgumentException($"ulimit soft limit must be less than or equal to hard limit: {ulimit.Soft} > {ulimit.Hard}");
        }
        if (host.Ulimits.GroupBy(u => u.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidArgumentException($"invalid ulimit {twice.Key}: given more than once");
    }

    private static void ValidateNetwork(HostConfig host)
    {
        // Which networks exist is the network service's to say; here only the form of the request is checked.
        if (host.NetworkContainer is { } other)
        {
            if (other.Length == 0)
                throw new InvalidArgumentException("invalid network mode \"container:\": no container given");
            if (host.PortBindings.Count > 0 || host.PublishAllPorts)
                throw new InvalidArgumentException("conflicting options: port publishing and the container type network mode");
            if (host.ExtraHosts.Count > 0)
                throw new InvalidArgumentException("conflicting options: custom host-to-IP mapping and the network mode");
            if (host.Dns.Count > 0)
                throw new InvalidArgumentException("conflicting options: dns and the network mode");
        }
        foreach (var (port, bindings) in host.PortBindings)
        {
            PublishedPorts.ParseContainerPort(port);
            foreach (var binding in bindings ?? [])
                PublishedPorts.ParseBinding(port, binding);
        }
        foreach (var entry in host.ExtraHosts)
            ParseExtraHost(entry);
        foreach (var server in host.Dns)
        {
            if (ParseAddress(server) is null)
                throw new InvalidArgumentException($"{server} is not an ip address");
        }
        foreach (var domain in host.DnsSearch)
        {
            if (domain != "." && (domain.Length > 255 || domain.StartsWith('.') || domain.Contains(' ')))
                throw new InvalidArgumentException($"{domain} is not a valid domain");
        }
    }

    /// <summary>"name:ip" or "name=ip"; the name may not be empty and the address must parse.</summary>
    public static (string Name, IPAddress Address) ParseExtraHost(string entry)
    {
        var separator = entry.IndexOf('=');
        if (separator < 0)
            separator = entry.IndexOf(':');
        if (separator <= 0)
            throw new InvalidArgumentException($"bad format for add-host: \"{entry}\"");
        var address = entry[(separator + 1)..].Trim('[', ']');
        if (address == "host-gateway")
            throw new InvalidArgumentException($"invalid add-host \"{entry}\": host-gateway needs a bridge network, which this engine does not have yet");
        if (ParseAddress(address) is not { } ip)
            throw new InvalidArgumentException($"invalid IP address in add-host: \"{entry[(separator + 1)..]}\"");
        return (entry[..separator], ip);
    }

    /// <summary>
    /// An IPv4 address in dotted-quad form or an IPv6 address; unlike IPAddress.TryParse alone it
    /// refuses the legacy shorthand ("1.2.3", "10") that no resolver or hosts file reads the same way.
    /// </summary>
    public static IPAddress? ParseAddress(string text)
    {
        if (!IPAddress.TryParse(text, out var ip))
            return null;
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork &&
            (text.Split('.').Length != 4 || !text.All(c => char.IsAsciiDigit(c) || c == '.')))
            return null;
        return ip;
    }

    private static void ValidateSysctls(HostConfig host)
    {
        foreach (var key in host.Sysctls.Keys)
        {
            if (IpcSysctls.Contains(key) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                // Outside a namespace of its own the sysctl would change the host's or another container's IPC.
                if (host.IpcMode == NamespaceModes.Host || host.IpcContainer is not null)
                    throw new InvalidArgumentException($"sysctl \"{key}\" is not allowed with IPC mode {host.IpcMode}: it would change a namespace the container does not own");
                continue;
            }
            if (UtsSysctls.Contains(key))
            {
                if (host.UtsMode == NamespaceModes.Host)
                    throw new InvalidArgumentException($"sysctl \"{key}\" is not allowed in the host's UTS namespace (UTSMode host)");
                continue;
            }
            if (key.StartsWith("net.", StringComparison.Ordinal))
            {
                if (host.IsHostNetwork)
                    throw new InvalidArgumentException($"sysctl \"{key}\" is not allowed in the host's network namespace (NetworkMode host)");
                continue;
            }
            throw new InvalidArgumentException($"sysctl \"{key}\" is not allowed: it is not namespaced, so it would change the host");
        }
    }

    private static void ValidateDevices(HostConfig host)
    {
        foreach (var device in host.Devices)
        {
            if (device.CgroupPermissions.Length == 0 || device.CgroupPermissions.Any(c => c is not ('r' or 'w' or 'm')))
                throw new InvalidArgumentException($"invalid device mode: {device.CgroupPermissions}");
            if (!device.PathOnHost.StartsWith('/'))
                throw new InvalidArgumentException($"invalid device path on host: {device.PathOnHost}: must be absolute");
            if (device.PathInContainer.Length > 0 && !device.PathInContainer.StartsWith('/'))
                throw new InvalidArgumentException($"invalid device path in container: {device.PathInContainer}: must be absolute");
            if (!Path.Exists(device.PathOnHost))
                throw new InvalidArgumentException($"error gathering device information while adding custom device \"{device.PathOnHost}\": no such file or directory");
        }
    }
}
