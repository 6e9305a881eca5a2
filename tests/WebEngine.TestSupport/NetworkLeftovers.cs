using System.Diagnostics;
using System.Security.Cryptography;

namespace WebEngine.TestSupport;

/// <summary>
/// A test engine's own networking names (device prefix, nftables table, address pool), so engines side by side never
/// meet, and the blunt cleanup of whatever of them is left: namespaces, devices and the table.
/// </summary>
public sealed record TestNetworking(string DevicePrefix, string FirewallTable, string AddressPool)
{
    public static TestNetworking Create()
    {
        var hex = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        // 10.<random>.0.0/16: the engine skips blocks that something on the host routes already.
        return new TestNetworking($"wt{hex}", $"webengine_test_{hex}", $"10.{RandomNumberGenerator.GetInt32(256)}.0.0/16");
    }

    /// <summary>The engine's configuration keys for these names (for an in-process host's UseSetting).</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("WebEngine:Networking:DevicePrefix", DevicePrefix),
        new("WebEngine:Networking:FirewallTable", FirewallTable),
        new("WebEngine:Networking:AddressPool", AddressPool),
        new("WebEngine:Networking:DefaultBridgeSubnet", ""),
    ];

    /// <summary>The daemon's command-line settings for these names.</summary>
    public IEnumerable<string> DaemonArguments() => Settings().Select(s => $"--{s.Key}={s.Value}");

    /// <summary>Removes the test's network namespaces, devices (bridges and veth ends) and nftables table.</summary>
    public void Clean()
    {
        if (Directory.Exists("/run/netns"))
        {
            foreach (var sandbox in Directory.EnumerateFiles("/run/netns", DevicePrefix + "-*"))
                Run("ip", "netns", "del", Path.GetFileName(sandbox));
        }
        foreach (var device in Devices())
            Run("ip", "link", "del", device);
        Run("nft", "delete", "table", "ip", FirewallTable);
    }

    /// <summary>The host's network devices that belong to this test.</summary>
    public IReadOnlyList<string> Devices() =>
        Directory.EnumerateDirectories("/sys/class/net").Select(Path.GetFileName).OfType<string>().Where(d => d.StartsWith(DevicePrefix, StringComparison.Ordinal)).ToList();

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
    }
}
