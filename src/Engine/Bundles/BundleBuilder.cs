using System.Text.Json;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Security;
using WebEngine.Oci;

namespace WebEngine.Engine.Bundles;

/// <summary>
/// Writes a container's OCI bundle, containers/&lt;id&gt;/config.json, with Docker's defaults: the
/// process, capabilities, seccomp, mounts, namespaces, cgroup limits, devices and masked paths a
/// `docker run` with the same configuration would get, plus the hosts, hostname and resolv.conf
/// files it bind-mounts.
/// </summary>
public sealed class BundleBuilder(BundleBuilderOptions options, IVolumeResolver volumes)
{
    public const string ConfigFileName = "config.json";

    public async Task<Bundle> BuildAsync(BundleRequest request, CancellationToken cancellationToken)
    {
        var (config, host) = (request.Config, request.Host);
        ContainerCreateValidator.Validate(config, host);
        if (request.ContainerId.Length < 12 || !request.ContainerId.All(char.IsAsciiHexDigitLower))
            throw new InvalidArgumentException($"invalid container id \"{request.ContainerId}\": expected lower-case hex digits");
        if (!Directory.Exists(request.RootfsPath))
            throw new InvalidArgumentException($"rootfs {request.RootfsPath} of container {request.ContainerId} does not exist");

        var directory = Path.Combine(options.ContainersDirectory, request.ContainerId);
        var hostname = Hostname(request);
        var hostsPath = Path.Combine(directory, "hosts");
        var hostnamePath = Path.Combine(directory, "hostname");
        var resolvConfPath = Path.Combine(directory, "resolv.conf");
        var networkFiles = new Dictionary<string, string>
        {
            ["/etc/resolv.conf"] = resolvConfPath,
            ["/etc/hostname"] = hostnamePath,
            ["/etc/hosts"] = hostsPath,
        };
        // The spec is complete before anything is written, so that a bad user or mount leaves no half bundle.
        var userMounts = await ResolveMountsAsync(request, cancellationToken);
        var spec = CreateSpec(request, hostname, userMounts, networkFiles);
        EnsureWorkingDirectory(request.RootfsPath, spec.Process!.Cwd);

        Directory.CreateDirectory(directory);
        WriteAtomically(hostnamePath, hostname + "\n");
        var hostHosts = host.IsHostNetwork ? ReadOptional(options.HostHosts) : null;
        WriteAtomically(hostsPath, HostsFile.Render(hostHosts, host.ExtraHosts, hostname, config.Domainname, request.Addresses));
        var hostResolvConf = ReadOptional(options.HostResolvConf) ?? "";
        WriteAtomically(resolvConfPath, ResolvConf.Render(hostResolvConf, host.IsHostNetwork, host.Dns, host.DnsSearch, host.DnsOptions));

        var configPath = Path.Combine(directory, ConfigFileName);
        WriteAtomically(configPath, JsonSerializer.Serialize(spec, OciJsonContext.Default.RuntimeSpec));
        return new Bundle(directory, configPath, spec, hostsPath, hostnamePath, resolvConfPath);
    }

    private RuntimeSpec CreateSpec(BundleRequest request, string hostname, IReadOnlyList<ContainerMount> userMounts, IReadOnlyDictionary<string, string> networkFiles)
    {
        var (config, host) = (request.Config, request.Host);
        var security = SecurityOptions.Parse(host.SecurityOpt);
        var capabilities = CapabilitySet.Resolve(host.CapAdd, host.CapDrop, host.Privileged);
        var initBinary = host.Init == true ? options.InitBinary : null;
        var confinedPaths = !host.Privileged && !security.UnconfinedSystemPaths;

        var deviceRules = ContainerDefaults.DeviceRules();
        var devices = new List<LinuxDevice>();
        if (host.Privileged)
        {
            devices.AddRange(DeviceNodes.HostDevices());
            deviceRules = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }];
        }
        foreach (var mapping in host.Devices)
        {
            var (mapped, rules) = DeviceNodes.FromPath(mapping.PathOnHost, mapping.PathInContainer, host.Privileged ? "rwm" : mapping.CgroupPermissions);
            devices.AddRange(mapped.Where(d => !devices.Any(existing => existing.Path == d.Path)));
            if (!host.Privileged)
                deviceRules.AddRange(rules);
        }

        return new RuntimeSpec
        {
            Process = ProcessSpec.Create(request, hostname, capabilities, security, initBinary),
            Root = new Root { Path = Path.GetFullPath(request.RootfsPath), Readonly = host.ReadonlyRootfs },
            // In the host's UTS namespace the runtime must not set a name: the container has the host's, as in Docker.
            Hostname = host.UtsMode == NamespaceModes.Host ? null : hostname,
            Mounts = MountSpecs.Create(host, userMounts, networkFiles, initBinary, host.Privileged || security.WritableCgroups == true, request.ShmSource),
            Annotations = host.Annotations.Count == 0 ? null : new Dictionary<string, string>(host.Annotations),
            Linux = new Linux
            {
                Namespaces = Namespaces(request),
                Devices = devices,
                CgroupsPath = $"{options.CgroupParent.TrimEnd('/')}/{request.ContainerId}",
                Resources = ResourcesSpec.Create(host, options.SwapLimitSupported, deviceRules),
                Seccomp = Seccomp(host, security, capabilities),
                Sysctl = Sysctls(config, host),
                MaskedPaths = confinedPaths ? [.. ContainerDefaults.MaskedPaths()] : null,
                ReadonlyPaths = confinedPaths ? [.. ContainerDefaults.ReadonlyPaths] : null,
            },
        };
    }

    private string Hostname(BundleRequest request)
    {
        if (!string.IsNullOrEmpty(request.Config.Hostname))
            return request.Config.Hostname;
        // On the host's network or in its UTS namespace the container also shows the host's name, as in Docker.
        return request.Host.IsHostNetwork || request.Host.UtsMode == NamespaceModes.Host ? Environment.MachineName : request.ContainerId[..12];
    }

    /// <summary>
    /// Docker's namespaces: each one private unless the container shares the host's (mode "host": left out) or
    /// another container's (mode "container:": joined by path). Only the netns is shared with the host's network.
    /// </summary>
    private List<LinuxNamespace> Namespaces(BundleRequest request)
    {
        var host = request.Host;
        var namespaces = new List<LinuxNamespace>();
        if (host.PidMode != NamespaceModes.Host)
            namespaces.Add(new LinuxNamespace { Type = "pid", Path = host.PidContainer is null ? null : request.PidNamespacePath });
        if (host.IpcMode != NamespaceModes.Host)
            namespaces.Add(new LinuxNamespace { Type = "ipc", Path = host.IpcContainer is null ? null : request.IpcNamespacePath });
        if (host.UtsMode != NamespaceModes.Host)
            namespaces.Add(new LinuxNamespace { Type = "uts" });
        namespaces.Add(new LinuxNamespace { Type = "mount" });
        if (!host.IsHostNetwork)
            namespaces.Add(new LinuxNamespace { Type = "network", Path = request.NetworkNamespacePath });
        if (options.CgroupnsModeOf(host) == NamespaceModes.Private)
            namespaces.Add(new LinuxNamespace { Type = "cgroup" });
        return namespaces;
    }

    private LinuxSeccomp? Seccomp(HostConfig host, SecurityOptions security, IReadOnlyList<string> capabilities)
    {
        if (host.Privileged || security.Seccomp == SeccompMode.Unconfined)
            return null;
        var profile = security.Seccomp == SeccompMode.Custom
            ? SeccompProfileCompiler.Parse(security.SeccompProfileJson!)
            : DefaultSeccompProfile.Create();
        return SeccompProfileCompiler.Compile(profile, capabilities, options.Seccomp);
    }

    private static Dictionary<string, string>? Sysctls(ContainerConfig config, HostConfig host)
    {
        var sysctls = new Dictionary<string, string>();
        // The domain name is set through its sysctl, as Docker does, so runtimes without the
        // spec's "domainname" field (runc before 1.2) set it too.
        if (!string.IsNullOrEmpty(config.Domainname))
            sysctls["kernel.domainname"] = config.Domainname;
        if (!host.IsHostNetwork)
        {
            // In its own network namespace a container may ping and bind low ports without privileges, as in Docker.
            if (File.Exists("/proc/sys/net/ipv4/ping_group_range"))
                sysctls["net.ipv4.ping_group_range"] = "0 2147483647";
            if (File.Exists("/proc/sys/net/ipv4/ip_unprivileged_port_start"))
                sysctls["net.ipv4.ip_unprivileged_port_start"] = "0";
        }
        foreach (var (key, value) in host.Sysctls)
            sysctls[key] = value;
        return sysctls.Count == 0 ? null : sysctls;
    }

    private async Task<List<ContainerMount>> ResolveMountsAsync(BundleRequest request, CancellationToken cancellationToken)
    {
        var mounts = ContainerMounts.WithInherited(ContainerMounts.Resolve(request.Host), request.InheritedMounts);
        // Image and Config volumes without a user mount get an anonymous volume.
        var covered = mounts.Select(m => m.Target.TrimEnd('/')).ToHashSet();
        mounts.AddRange(request.Config.Volumes
            .Where(target => !covered.Contains(target.TrimEnd('/')))
            .Order(StringComparer.Ordinal)
            .Select(target => new ContainerMount { Type = MountType.Volume, Target = target }));

        var resolved = new List<ContainerMount>();
        foreach (var mount in mounts)
        {
            switch (mount.Type)
            {
                case MountType.Volume:
                    var path = await volumes.ResolveAsync(request.ContainerId, mount, request.RootfsPath, cancellationToken);
                    resolved.Add(mount with { Type = MountType.Bind, Source = path });
                    break;
                case MountType.Bind when mount.CreateSourceIfMissing && !Path.Exists(mount.Source):
                    Directory.CreateDirectory(mount.Source);
                    resolved.Add(mount);
                    break;
                default:
                    resolved.Add(mount);
                    break;
            }
        }
        return resolved;
    }

    /// <summary>Docker creates a missing WorkingDir in the rootfs (owned by root) before the container starts.</summary>
    private static void EnsureWorkingDirectory(string rootfs, string cwd)
    {
        if (!cwd.StartsWith('/'))
            throw new InvalidArgumentException($"the working directory '{cwd}' is invalid, it needs to be an absolute path");
        Directory.CreateDirectory(RootfsPath.Resolve(rootfs, cwd));
    }

    // The bundle's files are a few KB: read and written synchronously, in place, as the async file API would on a
    // thread-pool thread anyway (Linux has no asynchronous file I/O), one hop and work item fewer per file.
    private static string? ReadOptional(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes beside the target and renames, so a reader never sees half a file.</summary>
    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
