using WebEngine.Oci;

namespace WebEngine.Engine.Bundles;

/// <summary>A bundle on disk: containers/&lt;id&gt;/config.json and the files it bind-mounts into the container.</summary>
public sealed record Bundle(string Directory, string ConfigPath, RuntimeSpec Spec, string HostsPath, string HostnamePath, string ResolvConfPath);
