namespace WebEngine.Engine.Containers;

/// <summary>A host device made available in the container; permissions are a subset of "rwm".</summary>
public sealed record DeviceMapping(string PathOnHost, string PathInContainer, string CgroupPermissions = "rwm");
