using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;
using WebEngine.Web.Components;

namespace WebEngine.Dashboard.Tests.Components;

public sealed class ContainerRowTests
{
    private static ContainerRow Row(string name, string image, string state, Dictionary<string, string>? labels = null) => new(new ContainerSummary
    {
        Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Names = ["/" + name], Image = image, ImageId = "sha256:x",
        Command = "sh", Created = 0, State = state, Status = "Up 1 second", Labels = labels ?? [], Mounts = [], NetworkMode = "default",
    });

    [Theory]
    [InlineData("web", true)]
    [InlineData("WEB busy", true)]
    [InlineData("012345", true)]
    [InlineData("team=blue", true)]
    [InlineData("team=red", false)]
    [InlineData("tea", true)]
    [InlineData("nginx", false)]
    public void Search_matches_name_image_id_start_and_labels(string search, bool matches) =>
        Assert.Equal(matches, Row("web-1", "busybox:latest", "running", new() { ["team"] = "blue" }).Matches(search, []));

    [Fact]
    public void State_filter_applies_with_the_search()
    {
        var row = Row("web", "busybox", "exited");
        Assert.True(row.Matches(null, ["exited", "dead"]));
        Assert.False(row.Matches(null, ["running"]));
        Assert.False(row.Matches("nope", ["exited"]));
    }

    [Fact]
    public void Cpu_percent_is_the_containers_share_of_host_time_times_cpus()
    {
        static ContainerStats Sample(long container, long system) => new()
        {
            Read = DateTime.UtcNow, CpuTotalUsage = container, SystemCpuUsage = system, OnlineCpus = 2, MemoryUsage = 100,
            MemoryLimit = 1000, MemoryStat = new Dictionary<string, long> { ["total_inactive_file"] = 40 }, PidsCurrent = 1, BlockIo = [],
        };
        Assert.Equal(50.0, ContainerRow.CpuPercentBetween(Sample(0, 0), Sample(250, 1000)));
        Assert.Equal(60, ContainerRow.MemoryInUse(Sample(0, 0)));
    }

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("1.5s", 1.5)]
    public void Since_durations_count_back_from_now(string text, double seconds)
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True(LogSince.TryParse(text, now, out var since));
        Assert.Equal(seconds, (now - since).TotalSeconds, 3);
    }

    [Fact]
    public void Since_takes_a_time_and_refuses_nonsense()
    {
        Assert.True(LogSince.TryParse("2024-01-01T00:00:00Z", DateTimeOffset.UtcNow, out var since));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), since);
        Assert.False(LogSince.TryParse("yesterday", DateTimeOffset.UtcNow, out _));
    }

    [Fact]
    public void Ports_read_as_docker_ps_writes_them() => Assert.Equal("127.0.0.1:5353->53/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp",
        ContainerRow.FormatPorts(
        [
            new PortSummary { PrivatePort = 443, Type = "tcp" },
            new PortSummary { IP = "127.0.0.1", PrivatePort = 53, PublicPort = 5353, Type = "udp" },
            new PortSummary { IP = "0.0.0.0", PrivatePort = 80, PublicPort = 8080, Type = "tcp" },
            new PortSummary { IP = "::", PrivatePort = 80, PublicPort = 8080, Type = "tcp" },
        ]));

    [Fact]
    public void No_ports_is_empty() => Assert.Equal("", Row("web", "busybox", "running").Ports);
}
