using System.Text.Json;
using WebEngine.Oci;

namespace WebEngine.Runtime.Spec;

/// <summary>Reads a bundle's config.json and rejects what the runtime cannot run, before anything is created.</summary>
public static class SpecLoader
{
    private static readonly HashSet<string> NamespaceTypes = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"];

    public static RuntimeSpec Load(string bundle)
    {
        var path = Path.Combine(bundle, "config.json");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidSpecException($"open {path}: ENOENT (not an OCI bundle)");
        }
        RuntimeSpec spec;
        try
        {
            spec = SpecReader.Read(bytes);
        }
        catch (JsonException e)
        {
            throw new InvalidSpecException($"parse {path}: {e.Message}", e);
        }
        Validate(spec, bundle);
        return spec;
    }

    public static void Validate(RuntimeSpec spec, string bundle)
    {
        if (string.IsNullOrEmpty(spec.OciVersion) || !spec.OciVersion.StartsWith("1.", StringComparison.Ordinal))
            throw new InvalidSpecException($"config.json: unsupported ociVersion \"{spec.OciVersion}\"");
        if (spec.Root == null || string.IsNullOrEmpty(spec.Root.Path))
            throw new InvalidSpecException("config.json: root.path is required");
        var rootfs = RootfsOf(spec, bundle);
        if (!Directory.Exists(rootfs))
            throw new InvalidSpecException($"rootfs {rootfs}: ENOENT (root.path must be an existing directory)");
        if (spec.Process == null)
            throw new InvalidSpecException("config.json: process is required to create a container");
        ValidateProcess(spec.Process, "process");
        var namespaces = spec.Linux?.Namespaces ?? [];
        var seen = new HashSet<string>();
        foreach (var ns in namespaces)
        {
            if (!NamespaceTypes.Contains(ns.Type))
                throw new InvalidSpecException($"linux.namespaces: unknown namespace type \"{ns.Type}\"");
            if (!seen.Add(ns.Type))
                throw new InvalidSpecException($"linux.namespaces: \"{ns.Type}\" is listed twice");
            if (ns.Path != null && !File.Exists(ns.Path))
                throw new InvalidSpecException($"linux.namespaces: {ns.Type} namespace path {ns.Path}: ENOENT");
        }
        if (!seen.Contains("mount"))
            throw new InvalidSpecException("linux.namespaces: a mount namespace is required (the rootfs is set up in it)");
        if (namespaces.FirstOrDefault(n => n.Type == "user") is { } user)
        {
            if (user.Path != null)
            {
                // A joined user namespace has its maps already: they are read from it, not written.
                if (spec.Linux?.UidMappings is { Count: > 0 } || spec.Linux?.GidMappings is { Count: > 0 })
                    throw new InvalidSpecException($"linux.uidMappings and linux.gidMappings must be empty when joining the user namespace {user.Path}");
            }
            else
            {
                if (spec.Linux?.UidMappings is not { Count: > 0 } || spec.Linux?.GidMappings is not { Count: > 0 })
                    throw new InvalidSpecException("linux.uidMappings and linux.gidMappings are required with a user namespace");
                if (namespaces.Any(n => n.Path != null))
                    throw new InvalidSpecException("linux.namespaces: a new user namespace cannot be combined with namespace paths");
            }
        }
        if (seen.Contains("time"))
            throw new InvalidSpecException("linux.namespaces: time namespaces are not supported by webengine-runtime");
        if (spec.Hostname != null && !seen.Contains("uts"))
            throw new InvalidSpecException("hostname requires a new uts namespace (linux.namespaces has no \"uts\")");
        foreach (var mount in spec.Mounts ?? [])
        {
            if (!mount.Destination.StartsWith('/'))
                throw new InvalidSpecException($"mounts: destination \"{mount.Destination}\" is not absolute");
        }
        foreach (var device in spec.Linux?.Devices ?? [])
        {
            if (device.Type is not ("c" or "b" or "u" or "p"))
                throw new InvalidSpecException($"linux.devices: {device.Path}: unknown type \"{device.Type}\"");
            if (!device.Path.StartsWith("/dev/", StringComparison.Ordinal))
                throw new InvalidSpecException($"linux.devices: {device.Path} is not under /dev");
        }
        foreach (var hook in AllHooks(spec.Hooks))
        {
            if (!Path.IsPathRooted(hook.Path))
                throw new InvalidSpecException($"hooks: path \"{hook.Path}\" is not absolute");
        }
    }

    public static void ValidateProcess(Process process, string where)
    {
        if (process.Args == null || process.Args.Count == 0)
            throw new InvalidSpecException($"{where}.args must hold at least one element");
        if (!process.Cwd.StartsWith('/'))
            throw new InvalidSpecException($"{where}.cwd \"{process.Cwd}\" is not absolute");
        if (process.Capabilities is { } caps)
        {
            CapabilityNames.Mask(caps.Bounding, "bounding");
            CapabilityNames.Mask(caps.Effective, "effective");
            CapabilityNames.Mask(caps.Inheritable, "inheritable");
            CapabilityNames.Mask(caps.Permitted, "permitted");
            CapabilityNames.Mask(caps.Ambient, "ambient");
        }
        var seen = new HashSet<string>();
        foreach (var rlimit in process.Rlimits ?? [])
        {
            if (RlimitNames.Number(rlimit.Type) < 0)
                throw new InvalidSpecException($"{where}.rlimits: unknown type \"{rlimit.Type}\"");
            if (!seen.Add(rlimit.Type))
                throw new InvalidSpecException($"{where}.rlimits: \"{rlimit.Type}\" is listed twice");
            if (rlimit.Soft > rlimit.Hard)
                throw new InvalidSpecException($"{where}.rlimits: {rlimit.Type} soft limit is above the hard limit");
        }
        if (process.ConsoleSize is { } size && (size.Height == 0 || size.Width == 0))
            throw new InvalidSpecException($"{where}.consoleSize needs both height and width");
    }

    public static string RootfsOf(RuntimeSpec spec, string bundle) =>
        Path.GetFullPath(Path.Combine(bundle, spec.Root!.Path));

    public static IEnumerable<Hook> AllHooks(Oci.Hooks? hooks) =>
        hooks == null
            ? []
            : (hooks.Prestart ?? []).Concat(hooks.CreateRuntime ?? []).Concat(hooks.CreateContainer ?? [])
                .Concat(hooks.StartContainer ?? []).Concat(hooks.Poststart ?? []).Concat(hooks.Poststop ?? []);
}
