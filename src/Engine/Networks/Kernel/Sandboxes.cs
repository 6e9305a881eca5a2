namespace WebEngine.Engine.Networks.Kernel;

/// <summary>One interface to make in a container's network namespace: a veth pair from the network's bridge.</summary>
internal sealed record VethSpec(string HostDevice, string Bridge, string Interface, string MacAddress, string Address, int PrefixLength, string? DefaultGateway);

/// <summary>
/// Containers' network namespaces, named and bind-mounted under /run/netns as iproute2 does (so they outlive the daemon
/// and `ip netns` lists them), and the veth pairs that join them to bridges.
/// </summary>
internal static class Sandboxes
{
    public static string PathOf(string name) => Path.Combine(NetworkingOptions.NamespaceDirectory, name);

    public static bool Exists(string name) => File.Exists(PathOf(name));

    /// <summary>
    /// A new namespace with its loopback up (all a container with network "none" gets), made in-process: two `ip`
    /// processes took about 40 ms of a container's start.
    /// </summary>
    public static Task CreateAsync(string name) => NetworkNamespaces.CreateAsync(PathOf(name));

    /// <summary>Deleting the namespace deletes the veth ends in it, and with them their host ends.</summary>
    public static void Delete(string name) => NetworkNamespaces.Remove(PathOf(name));

    /// <summary>Names of the namespaces under /run/netns that start with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> List(string prefix) =>
        Directory.Exists(NetworkingOptions.NamespaceDirectory)
            ? Directory.EnumerateFiles(NetworkingOptions.NamespaceDirectory, prefix + "*").Select(Path.GetFileName).OfType<string>().ToList()
            : [];

    public static async Task AddVethAsync(string sandbox, VethSpec veth)
    {
        // A host end left by an interrupted start would make the add fail.
        await RemoveVethAsync(veth.HostDevice);
        await NetworkCommand.RunAsync(NetworkCommand.Ip, ["-batch", "-"],
            $"link add {veth.HostDevice} type veth peer name {veth.Interface} address {veth.MacAddress} netns {sandbox}\n" +
            $"link set {veth.HostDevice} master {veth.Bridge} up\n");
        var inside = $"addr add {veth.Address}/{veth.PrefixLength} dev {veth.Interface}\nlink set {veth.Interface} up\n";
        if (veth.DefaultGateway is { } gateway)
            inside += $"route add default via {gateway} dev {veth.Interface}\n";
        await NetworkCommand.RunAsync(NetworkCommand.Ip, ["-n", sandbox, "-batch", "-"], inside);
    }

    /// <summary>Deletes a veth pair by its host end; one that is gone already (its namespace was just deleted) is fine.</summary>
    public static async Task RemoveVethAsync(string hostDevice)
    {
        if (!BridgeDevices.Exists(hostDevice))
            return;
        var (exitCode, _, error) = await NetworkCommand.TryRunAsync(NetworkCommand.Ip, ["link", "del", hostDevice]);
        if (exitCode != 0 && BridgeDevices.Exists(hostDevice))
            throw new NetworkKernelException($"ip link del {hostDevice}: exit {exitCode}: {error.Trim()}");
    }
}
