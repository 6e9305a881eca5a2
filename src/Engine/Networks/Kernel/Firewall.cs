using System.Text;

namespace WebEngine.Engine.Networks.Kernel;

/// <summary>A bridge network as the firewall sees it.</summary>
internal sealed record FirewallNetwork(string Bridge, string Subnet, bool Internal);

/// <summary>A published port: connections to the host's <see cref="HostIp"/> (empty: any local address) go to the container.</summary>
internal sealed record FirewallPort(string Protocol, string HostIp, int HostPort, string ContainerAddress, int ContainerPort);

/// <summary>
/// All of the engine's packet filtering lives in one nftables table of its own, rewritten whole and atomically from
/// the engine's state (one `nft -f` transaction) whenever a network or a published port changes. Nothing else on the
/// host is touched, teardown is exact (delete the table), and after a daemon restart the table is still there, so
/// published ports keep working while no daemon runs.
/// </summary>
internal static class Firewall
{
    public static string Render(string table, IReadOnlyList<FirewallNetwork> networks, IReadOnlyList<FirewallPort> ports)
    {
        var text = new StringBuilder();
        // Declaring the table first makes the delete valid when it does not exist yet; both go in one transaction.
        text.Append($"table ip {table} {{}}\ndelete table ip {table}\ntable ip {table} {{\n");
        var bridges = networks.Select(n => Quote(n.Bridge)).ToList();
        if (bridges.Count > 0)
            text.Append($"  set bridges {{ type ifname; elements = {{ {string.Join(", ", bridges)} }} }}\n");

        // Published ports: DNAT of what arrives from outside (prerouting) and of what the host itself sends (output),
        // for any local destination address, loopback included.
        text.Append("  chain published {\n");
        foreach (var port in ports)
        {
            var destination = port.HostIp.Length > 0 ? $"ip daddr {port.HostIp} " : "";
            text.Append($"    {destination}{port.Protocol} dport {port.HostPort} dnat to {port.ContainerAddress}:{port.ContainerPort}\n");
        }
        text.Append("  }\n");
        text.Append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n    fib daddr type local jump published\n  }\n");
        text.Append("  chain output {\n    type nat hook output priority -100; policy accept;\n    fib daddr type local jump published\n  }\n");

        text.Append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var network in networks)
        {
            var bridge = Quote(network.Bridge);
            if (!network.Internal)
                text.Append($"    ip saddr {network.Subnet} oifname != {bridge} masquerade\n");
            // The host's own connections to a published port (from 127.0.0.1 too) and a container's to its own network's
            // published ports must come back through the host: they leave with the bridge's address.
            text.Append($"    oifname {bridge} ct status dnat fib saddr type local masquerade\n");
            text.Append($"    oifname {bridge} iifname {bridge} ct status dnat masquerade\n");
        }
        text.Append("  }\n");

        // Isolation: nothing is routed from one of the engine's bridges to another; an internal network routes nowhere.
        text.Append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        foreach (var network in networks)
        {
            var bridge = Quote(network.Bridge);
            text.Append($"    iifname {bridge} oifname != {bridge} oifname @bridges drop\n");
            if (network.Internal)
            {
                text.Append($"    iifname {bridge} oifname != {bridge} drop\n");
                text.Append($"    oifname {bridge} iifname != {bridge} drop\n");
            }
        }
        text.Append("  }\n}\n");
        return text.ToString();
    }

    public static Task ApplyAsync(string script) => NetworkCommand.RunAsync(NetworkCommand.Nft, ["-f", "-"], script);

    public static async Task DeleteAsync(string table)
    {
        var (exitCode, _, _) = await NetworkCommand.TryRunAsync(NetworkCommand.Nft, ["list", "table", "ip", table]);
        if (exitCode == 0)
            await NetworkCommand.RunAsync(NetworkCommand.Nft, ["delete", "table", "ip", table]);
    }

    private static string Quote(string device) => $"\"{device}\"";
}
