using System.Net;
using WebEngine.Engine.Bundles;

namespace WebEngine.Engine.Tests.Bundles;

public sealed class NetworkFilesTests
{
    [Fact]
    public void Hosts_has_the_loopback_names_extra_hosts_and_the_containers_addresses()
    {
        var hosts = HostsFile.Render(null, ["db:10.0.0.5", "v6=fd00::5"], "web", "corp.test", [IPAddress.Parse("172.18.0.2")]);

        Assert.Equal(
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\n" +
            "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n10.0.0.5\tdb\nfd00::5\tv6\n172.18.0.2\tweb.corp.test web\n",
            hosts);
    }

    [Fact]
    public void On_the_host_network_hosts_starts_from_the_hosts_file()
    {
        var hosts = HostsFile.Render("127.0.0.1 localhost\n10.9.9.9 build-server", ["db:10.0.0.5"], "machine", null, []);

        Assert.Equal("127.0.0.1 localhost\n10.9.9.9 build-server\n10.0.0.5\tdb\n", hosts);
    }

    private const string HostResolvConf = """
        # managed by something
        nameserver 127.0.0.53
        nameserver 10.0.0.1
        nameserver ::1
        search lan example.com
        options edns0 trust-ad
        sortlist 10.0.0.0/8
        """;

    [Fact]
    public void Loopback_nameservers_are_dropped_on_a_network_of_the_containers_own()
    {
        var settings = ResolvConf.Parse(ResolvConf.Render(HostResolvConf, hostNetwork: false, [], [], []));

        Assert.Equal(["10.0.0.1"], settings.Nameservers);
        Assert.Equal(["lan", "example.com"], settings.Search);
        Assert.Equal(["edns0", "trust-ad"], settings.Options);
        Assert.Equal(["sortlist 10.0.0.0/8"], settings.Other);
    }

    [Fact]
    public void Only_loopback_nameservers_fall_back_to_public_ones()
    {
        var settings = ResolvConf.Parse(ResolvConf.Render("nameserver 127.0.0.53\n", hostNetwork: false, [], [], []));

        Assert.Equal(ResolvConf.FallbackNameservers, settings.Nameservers);
    }

    [Fact]
    public void The_host_network_keeps_loopback_nameservers()
    {
        var settings = ResolvConf.Parse(ResolvConf.Render(HostResolvConf, hostNetwork: true, [], [], []));

        Assert.Equal(["127.0.0.53", "10.0.0.1", "::1"], settings.Nameservers);
    }

    [Fact]
    public void Dns_options_replace_their_parts_and_a_dot_clears_the_search_list()
    {
        var settings = ResolvConf.Parse(ResolvConf.Render(HostResolvConf, hostNetwork: false, ["1.1.1.1", "127.0.0.1"], ["."], ["ndots:3"]));

        Assert.Equal(["1.1.1.1", "127.0.0.1"], settings.Nameservers);
        Assert.Empty(settings.Search);
        Assert.Equal(["ndots:3"], settings.Options);
    }

    [Fact]
    public void Tmpfs_options_merge_with_later_ones_winning()
    {
        var merged = TmpfsOptions.Merge([.. TmpfsOptions.Defaults, "exec", "size=1m", "size=2m", "shared", "mode=700"]);

        Assert.Equal(["exec", "nosuid", "nodev", "shared", "size=2m", "mode=700"], merged);
    }
}
