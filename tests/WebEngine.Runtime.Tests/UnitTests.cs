using WebEngine.Linux;
using WebEngine.Runtime.Init;
using WebEngine.Runtime.Spec;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests;

/// <summary>The runtime's pure logic: transitions, option parsing, names, and confined path resolution.</summary>
public sealed class UnitTests
{
    [Theory]
    [InlineData(LifecycleOperation.Start, LifecycleStatus.Created, true)]
    [InlineData(LifecycleOperation.Start, LifecycleStatus.Running, false)]
    [InlineData(LifecycleOperation.Start, LifecycleStatus.Stopped, false)]
    [InlineData(LifecycleOperation.Kill, LifecycleStatus.Stopped, false)]
    [InlineData(LifecycleOperation.Kill, LifecycleStatus.Paused, true)]
    [InlineData(LifecycleOperation.Delete, LifecycleStatus.Running, false)]
    [InlineData(LifecycleOperation.Delete, LifecycleStatus.Stopped, true)]
    [InlineData(LifecycleOperation.Pause, LifecycleStatus.Created, false)]
    [InlineData(LifecycleOperation.Resume, LifecycleStatus.Paused, true)]
    [InlineData(LifecycleOperation.Exec, LifecycleStatus.Stopped, false)]
    public void Transitions_are_checked_in_one_place(LifecycleOperation operation, LifecycleStatus status, bool allowed)
    {
        Assert.Equal(allowed, LifecycleRules.Allows(operation, status));
        if (!allowed)
        {
            var e = Assert.Throws<IllegalTransitionException>(() => LifecycleRules.Require(operation, "abc", status));
            Assert.Equal($"cannot {operation.ToString().ToLowerInvariant()} container abc: it is {status.ToOciString()}", e.Message);
        }
    }

    [Fact]
    public void Delete_with_force_is_allowed_in_any_status()
    {
        Assert.True(LifecycleRules.Allows(LifecycleOperation.Delete, LifecycleStatus.Running, force: true));
    }

    [Fact]
    public void Mount_options_split_into_flags_propagation_and_data()
    {
        var options = MountOptions.Parse(["rbind", "ro", "nosuid", "rslave", "size=1m", "mode=755", "rw", "noexec"]);
        Assert.True(options.Bind);
        Assert.True(options.Recursive);
        Assert.Equal(Libc.MS_NOSUID | Libc.MS_NOEXEC, options.Flags);
        Assert.Equal(Libc.MS_RDONLY, options.ClearedFlags);
        Assert.Equal([Libc.MS_SLAVE | Libc.MS_REC], options.Propagation);
        Assert.Equal("size=1m,mode=755", options.Data);
    }

    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("sigterm", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGRTMIN+2", 36)]
    public void Signals_parse_by_name_or_number(string text, int expected)
    {
        Assert.Equal(expected, SignalNames.Parse(text));
    }

    [Fact]
    public void Unknown_signal_is_an_error()
    {
        Assert.Throws<InvalidArgumentException>(() => SignalNames.Parse("SIGNOPE"));
    }

    [Fact]
    public void Capability_names_map_to_bits_and_unknown_ones_fail()
    {
        Assert.Equal((1UL << 21) | (1UL << 5), CapabilityNames.Mask(["CAP_SYS_ADMIN", "CAP_KILL"], "bounding"));
        var e = Assert.Throws<InvalidSpecException>(() => CapabilityNames.Mask(["CAP_BOGUS"], "effective"));
        Assert.Contains("CAP_BOGUS", e.Message);
    }

    [Fact]
    public void Symlinks_resolve_inside_the_rootfs()
    {
        using var rootfs = new TempDirectory("webengine-securepath");
        Directory.CreateDirectory(rootfs.Combine("real"));
        File.CreateSymbolicLink(rootfs.Combine("abs"), "/real");
        File.CreateSymbolicLink(rootfs.Combine("up"), "../../../../etc");
        File.CreateSymbolicLink(rootfs.Combine("loop"), "loop");
        Assert.Equal(rootfs.Combine("real", "x"), SecurePath.Resolve(rootfs.Path, "/abs/x"));
        Assert.Equal(rootfs.Combine("etc", "passwd"), SecurePath.Resolve(rootfs.Path, "/up/passwd"));
        Assert.Equal(rootfs.Combine("a"), SecurePath.Resolve(rootfs.Path, "/../../a"));
        Assert.Throws<LinuxException>(() => SecurePath.Resolve(rootfs.Path, "/loop/x"));
    }

    [Fact]
    public void Container_ids_cannot_name_other_directories()
    {
        Assert.Throws<InvalidArgumentException>(() => ContainerStore.ValidateId("../etc"));
        Assert.Throws<InvalidArgumentException>(() => ContainerStore.ValidateId(""));
        ContainerStore.ValidateId("abc-123_x.y");
    }
}
