namespace WebEngine.Engine.Containers;

/// <summary>The values Docker's PidMode, IpcMode, UTSMode, UsernsMode and CgroupnsMode take, and their checks.</summary>
public static class NamespaceModes
{
    public const string Host = "host";
    public const string Private = "private";
    public const string Shareable = "shareable";
    public const string None = "none";
    public const string ContainerPrefix = "container:";

    /// <summary>Docker's daemon default IPC mode since 20.10.</summary>
    public const string DefaultIpcMode = Private;

    /// <summary>"container:&lt;id or name&gt;" gives the container; any other mode null.</summary>
    public static string? ContainerOf(string mode) =>
        mode.StartsWith(ContainerPrefix, StringComparison.Ordinal) ? mode[ContainerPrefix.Length..] : null;

    /// <summary>Docker's checks of the modes' form, with its messages; whether a named container exists is create's to say.</summary>
    public static void Validate(HostConfig host, ContainerConfig config)
    {
        if (!(host.PidMode is "" or Host || ContainerOf(host.PidMode) is { Length: > 0 }))
            throw new InvalidArgumentException($"invalid PID mode: {host.PidMode}");
        if (!(host.IpcMode is "" or Host or Private or Shareable or None || ContainerOf(host.IpcMode) is { Length: > 0 }))
            throw new InvalidArgumentException($"invalid IPC mode: {host.IpcMode}");
        if (host.UtsMode is not ("" or Host))
            throw new InvalidArgumentException($"invalid UTS mode: {host.UtsMode}");
        if (host.UsernsMode is not ("" or Host))
            throw new InvalidArgumentException($"invalid USER mode: {host.UsernsMode}");
        if (host.CgroupnsMode is not ("" or Host or Private))
            throw new InvalidArgumentException($"invalid cgroup namespace mode: {host.CgroupnsMode}");
        if (host.UtsMode == Host && !string.IsNullOrEmpty(config.Hostname))
            throw new InvalidArgumentException("conflicting options: hostname and the UTS mode");
        foreach (var entry in host.VolumesFrom)
            ParseVolumesFrom(entry);
    }

    /// <summary>"&lt;container&gt;[:ro|:rw]" as Docker reads it: the container and the mode forced on its mounts (null keeps theirs).</summary>
    public static (string Container, bool? ReadOnly) ParseVolumesFrom(string entry)
    {
        var colon = entry.LastIndexOf(':');
        var (container, mode) = colon < 0 ? (entry, "") : (entry[..colon], entry[(colon + 1)..]);
        if (container.Length == 0)
            throw new InvalidArgumentException($"invalid volumes-from: {entry}");
        return mode switch
        {
            "" => (container, null),
            "ro" => (container, true),
            "rw" => (container, false),
            _ => throw new InvalidArgumentException($"invalid mode for volumes-from: {mode}"),
        };
    }
}
