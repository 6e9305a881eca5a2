namespace WebEngine.Engine.Networks.Kernel;

/// <summary>Linux bridges (one per network) and the host facts the engine needs around them: routes, ip_forward.</summary>
internal static class BridgeDevices
{
    public static bool Exists(string name) => Directory.Exists($"/sys/class/net/{name}");

    /// <summary>
    /// Creates the bridge with its gateway address if it is missing (after a reboot too), and brings it up.
    /// route_localnet lets published ports answer on 127.0.0.1: the DNAT of a loopback connection leaves through the
    /// bridge with a loopback source, which the kernel drops otherwise.
    /// </summary>
    public static async Task EnsureAsync(string name, string gateway, int prefixLength)
    {
        if (!Exists(name))
            await NetworkCommand.RunAsync(NetworkCommand.Ip, ["-batch", "-"], $"link add {name} type bridge\nlink set {name} up\n");
        var addresses = await NetworkCommand.RunAsync(NetworkCommand.Ip, ["-4", "-o", "addr", "show", "dev", name]);
        if (!addresses.Contains($" {gateway}/{prefixLength} ", StringComparison.Ordinal))
            await NetworkCommand.RunAsync(NetworkCommand.Ip, ["addr", "add", $"{gateway}/{prefixLength}", "dev", name]);
        await NetworkCommand.RunAsync(NetworkCommand.Ip, ["link", "set", name, "up"]);
        await File.WriteAllTextAsync($"/proc/sys/net/ipv4/conf/{name}/route_localnet", "1");
    }

    public static async Task DeleteAsync(string name)
    {
        if (Exists(name))
            await NetworkCommand.RunAsync(NetworkCommand.Ip, ["link", "del", name]);
    }

    /// <summary>The IPv4 subnets routed on this host, with their device: a new network must not overlap those of other devices.</summary>
    public static async Task<IReadOnlyList<(Subnet Subnet, string Device)>> RoutesAsync()
    {
        var routes = new List<(Subnet, string)>();
        foreach (var line in (await NetworkCommand.RunAsync(NetworkCommand.Ip, ["-4", "-o", "route", "show", "table", "all"])).Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[0] is "default" or "broadcast" or "local" or "unreachable" or "prohibit" or "blackhole")
                continue;
            var device = Array.IndexOf(fields, "dev") is var at and >= 0 && at + 1 < fields.Length ? fields[at + 1] : "";
            var cidr = fields[0].Contains('/') ? fields[0] : fields[0] + "/32";
            try
            {
                if (!cidr.EndsWith("/32", StringComparison.Ordinal) && !cidr.EndsWith("/31", StringComparison.Ordinal))
                    routes.Add((Subnet.Parse(cidr), device));
            }
            catch (InvalidArgumentException)
            {
                // Not a plain IPv4 prefix: nothing a bridge subnet could overlap.
            }
        }
        return routes;
    }

    /// <summary>Routing between bridges and out of the host needs forwarding on, as Docker turns it on.</summary>
    public static async Task EnableForwardingAsync()
    {
        const string path = "/proc/sys/net/ipv4/ip_forward";
        if ((await File.ReadAllTextAsync(path)).Trim() != "1")
            await File.WriteAllTextAsync(path, "1");
    }
}
