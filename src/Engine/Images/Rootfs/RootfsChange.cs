namespace WebEngine.Engine.Images.Rootfs;

/// <summary>What happened to a path of a container's root file system since its image (Docker's ChangeType numbers).</summary>
public enum RootfsChangeKind
{
    Modified = 0,
    Added = 1,
    Deleted = 2,
}

/// <summary>One line of docker diff: an absolute path in the container and what happened to it.</summary>
public sealed record RootfsChange(string Path, RootfsChangeKind Kind);
