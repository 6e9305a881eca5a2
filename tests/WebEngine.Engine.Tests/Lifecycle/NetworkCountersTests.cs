using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>A container's traffic per interface, read from /proc/&lt;pid&gt;/net/dev.</summary>
public sealed class NetworkCountersTests
{
    private const string NetDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:     420       6    0    0    0     0          0         0      420       6    0    0    0     0       0          0
          eth0: 1234567     890    1    2    0     0          0         0    76543     210    3    4    0     0       0          0
          eth1:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0

        """;

    [Fact]
    public void Every_interface_but_the_loopback_is_counted()
    {
        var interfaces = NetworkCounters.Parse(NetDev);
        Assert.Equal(["eth0", "eth1"], interfaces.Keys);
        Assert.Equal(new NetworkCounters(1234567, 890, 1, 2, 76543, 210, 3, 4), interfaces["eth0"]);
        Assert.Equal(new NetworkCounters(0, 0, 0, 0, 0, 0, 0, 0), interfaces["eth1"]);
    }

    [Fact]
    public void A_namespace_with_only_the_loopback_has_no_interfaces()
    {
        Assert.Empty(NetworkCounters.Parse(string.Join('\n', NetDev.Split('\n').Take(3))));
        Assert.Empty(NetworkCounters.Parse(""));
    }

    [Fact]
    public void The_daemons_own_namespace_counts_as_none()
    {
        // What a --network host container sees is the host's traffic, not its own.
        Assert.Empty(NetworkCounters.OfProcess(Environment.ProcessId));
    }
}
