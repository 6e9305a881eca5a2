using System.Net;
using System.Text;
using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Bundles;

/// <summary>The container's /etc/hosts, as Docker writes it.</summary>
public static class HostsFile
{
    private static readonly (string Address, string Names)[] Defaults =
    [
        ("127.0.0.1", "localhost"),
        ("::1", "localhost ip6-localhost ip6-loopback"),
        ("fe00::", "ip6-localnet"),
        ("ff00::", "ip6-mcastprefix"),
        ("ff02::1", "ip6-allnodes"),
        ("ff02::2", "ip6-allrouters"),
    ];

    /// <param name="hostHosts">The host's /etc/hosts content, used as-is for the host network; null otherwise.</param>
    /// <param name="extraHosts">HostConfig.ExtraHosts ("name:ip").</param>
    /// <param name="hostname">The container's hostname.</param>
    /// <param name="domainname">The container's domain name, or null.</param>
    /// <param name="addresses">The container's own addresses: each gets a line naming the container; none on a network without addresses.</param>
    public static string Render(string? hostHosts, IEnumerable<string> extraHosts, string hostname, string? domainname, IEnumerable<IPAddress> addresses)
    {
        var text = new StringBuilder();
        if (hostHosts is not null)
        {
            text.Append(hostHosts);
            if (hostHosts.Length > 0 && !hostHosts.EndsWith('\n'))
                text.Append('\n');
        }
        else
        {
            foreach (var (address, aliases) in Defaults)
                text.Append(address).Append('\t').Append(aliases).Append('\n');
        }
        foreach (var entry in extraHosts)
        {
            var (name, ip) = ContainerCreateValidator.ParseExtraHost(entry);
            text.Append(ip).Append('\t').Append(name).Append('\n');
        }
        var names = string.IsNullOrEmpty(domainname) ? hostname : $"{hostname}.{domainname} {hostname}";
        foreach (var address in addresses)
            text.Append(address).Append('\t').Append(names).Append('\n');
        return text.ToString();
    }
}
