using WebEngine.Engine.Containers;
using WebEngine.Engine.Security;
using WebEngine.Oci;

namespace WebEngine.Engine.Tests.Bundles;

public sealed class SecurityTests
{
    private static readonly SeccompTarget Amd64 = new("amd64", "SCMP_ARCH_X86_64", new Version(6, 1, 0));

    [Fact]
    public void Dockers_default_capabilities_are_the_mask_docker_shows()
    {
        Assert.Equal(14, CapabilitySet.Default.Count);
        Assert.Equal(0xa80425fbUL, CapabilitySet.Mask(CapabilitySet.Resolve([], [], privileged: false)));
    }

    [Fact]
    public void CapAdd_and_CapDrop_accept_any_case_and_the_prefix()
    {
        var caps = CapabilitySet.Resolve(["sys_admin", "CAP_NET_ADMIN"], ["net_raw", "Cap_Chown"], privileged: false);

        Assert.Contains("CAP_SYS_ADMIN", caps);
        Assert.Contains("CAP_NET_ADMIN", caps);
        Assert.DoesNotContain("CAP_NET_RAW", caps);
        Assert.DoesNotContain("CAP_CHOWN", caps);
        Assert.Equal(14, caps.Count);
    }

    [Fact]
    public void ALL_in_CapDrop_keeps_only_CapAdd_and_ALL_in_CapAdd_keeps_all_but_CapDrop()
    {
        Assert.Equal(["CAP_KILL"], CapabilitySet.Resolve(["kill"], ["ALL"], privileged: false));
        var all = CapabilitySet.Resolve(["ALL"], ["mknod"], privileged: false);
        Assert.Equal(CapabilitySet.Available.Count - 1, all.Count);
        Assert.DoesNotContain("CAP_MKNOD", all);
        Assert.Equal(CapabilitySet.Available, CapabilitySet.Resolve([], ["ALL"], privileged: true));
    }

    [Fact]
    public void The_default_profile_allows_the_ordinary_and_denies_the_rest_with_EPERM()
    {
        var profile = DefaultSeccompProfile.Create();

        Assert.Equal("SCMP_ACT_ERRNO", profile.DefaultAction);
        Assert.Equal(1u, profile.DefaultErrnoRet);
        var always = profile.Syscalls![0];
        Assert.Equal("SCMP_ACT_ALLOW", always.Action);
        Assert.Null(always.Includes);
        Assert.InRange(always.Names!.Count, 340, 380);
        Assert.Equal(always.Names.Count, always.Names.Distinct().Count());
        foreach (var denied in new[] { "mount", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf", "ptrace", "reboot", "kexec_load", "io_uring_setup", "userfaultfd", "clone", "clone3" })
            Assert.DoesNotContain(denied, always.Names);
        foreach (var allowed in new[] { "read", "write", "openat", "uname", "execve", "futex", "epoll_wait", "socketpair", "statx" })
            Assert.Contains(allowed, always.Names);
    }

    [Fact]
    public void Compiling_for_amd64_without_SYS_ADMIN_keeps_the_namespace_free_clone_and_makes_clone3_ENOSYS()
    {
        var seccomp = SeccompProfileCompiler.Compile(DefaultSeccompProfile.Create(), CapabilitySet.Default, Amd64);

        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], seccomp.Architectures);
        var clone = Assert.Single(seccomp.Syscalls!, s => s.Names.SequenceEqual(["clone"]));
        var arg = Assert.Single(clone.Args!);
        Assert.Equal((0u, 0x7E020000UL, "SCMP_CMP_MASKED_EQ"), (arg.Index, arg.Value, arg.Op));
        var clone3 = Assert.Single(seccomp.Syscalls!, s => s.Names.SequenceEqual(["clone3"]));
        Assert.Equal(("SCMP_ACT_ERRNO", 38u), (clone3.Action, clone3.ErrnoRet!.Value));
        Assert.DoesNotContain(seccomp.Syscalls!, s => s.Names.Contains("mount"));
        Assert.DoesNotContain(seccomp.Syscalls!, s => s.Names.Contains("s390_runtime_instr"));
        Assert.Contains(seccomp.Syscalls!, s => s.Names.Contains("arch_prctl"));
        // ptrace is safe from 4.8 on, so the kernel condition lets it in.
        Assert.Contains(seccomp.Syscalls!, s => s.Names.Contains("ptrace"));
        Assert.Equal(5, seccomp.Syscalls!.Count(s => s.Names.SequenceEqual(["personality"])));
    }

    [Fact]
    public void Capabilities_unlock_their_syscalls()
    {
        var withAdmin = SeccompProfileCompiler.Compile(DefaultSeccompProfile.Create(), [.. CapabilitySet.Default, "CAP_SYS_ADMIN", "CAP_SYS_TIME"], Amd64);

        Assert.Contains(withAdmin.Syscalls!, s => s.Names.Contains("mount") && s.Action == "SCMP_ACT_ALLOW");
        Assert.Contains(withAdmin.Syscalls!, s => s.Names.Contains("clock_settime"));
        Assert.DoesNotContain(withAdmin.Syscalls!, s => s.Names.SequenceEqual(["clone3"]) && s.Action == "SCMP_ACT_ERRNO");
        Assert.DoesNotContain(withAdmin.Syscalls!, s => s.Names.SequenceEqual(["clone"]) && s.Args is not null);
    }

    [Fact]
    public void Old_kernels_do_not_get_ptrace_without_SYS_PTRACE()
    {
        var old = SeccompProfileCompiler.Compile(DefaultSeccompProfile.Create(), CapabilitySet.Default, Amd64 with { Kernel = new Version(4, 4, 0) });

        Assert.DoesNotContain(old.Syscalls!, s => s.Names.Contains("ptrace"));
    }

    [Fact]
    public void A_custom_profile_in_Dockers_format_is_parsed_and_compiled()
    {
        const string json = """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "architectures": ["SCMP_ARCH_X86_64"],
              "syscalls": [
                { "name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                { "names": ["chmod"], "action": "SCMP_ACT_ERRNO", "args": [{ "index": 1, "value": 511, "op": "SCMP_CMP_EQ" }] },
                { "names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_BOOT"] } }
              ]
            }
            """;

        var seccomp = SeccompProfileCompiler.Compile(SeccompProfileCompiler.Parse(json), CapabilitySet.Default, Amd64);

        Assert.Equal("SCMP_ACT_ALLOW", seccomp.DefaultAction);
        Assert.Equal(["SCMP_ARCH_X86_64"], seccomp.Architectures);
        Assert.Equal(2, seccomp.Syscalls!.Count);
        Assert.Equal(["mkdir"], seccomp.Syscalls[0].Names);
        Assert.Equal(13u, seccomp.Syscalls[0].ErrnoRet);
        Assert.Equal(511UL, seccomp.Syscalls[1].Args!.Single().Value);
    }

    [Theory]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}""", "both 'architectures' and 'archMap'")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}""", "'name' and 'names' were specified")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["b"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"four"}}]}""", "invalid kernel version 'four'")]
    [InlineData("""[1, 2]""", "decoding seccomp profile failed")]
    public void Bad_profiles_are_invalid_arguments(string json, string message)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => SeccompProfileCompiler.Compile(SeccompProfileCompiler.Parse(json), [], Amd64));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void The_compiled_default_profile_serializes_into_a_runtime_spec()
    {
        var spec = new RuntimeSpec { Linux = new Linux { Seccomp = SeccompProfileCompiler.Compile(DefaultSeccompProfile.Create(), CapabilitySet.Default, Amd64) } };

        var json = System.Text.Json.JsonSerializer.Serialize(spec, OciJsonContext.Default.RuntimeSpec);

        Assert.Contains("\"defaultErrnoRet\": 1", json);
        Assert.Contains("\"SCMP_CMP_MASKED_EQ\"", json);
    }

    [Theory]
    [InlineData("6.1.0-18-amd64", 6, 1, 0)]
    [InlineData("6.18.44-fc-v782", 6, 18, 44)]
    [InlineData("5.4", 5, 4, 0)]
    public void Kernel_releases_parse(string release, int major, int minor, int build) =>
        Assert.Equal(new Version(major, minor, build), SeccompTarget.ParseKernel(release));

    [Fact]
    public void Security_options_parse_as_Docker_accepts_them()
    {
        var options = SecurityOptions.Parse(["no-new-privileges:true", "seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined", "label=disable"]);

        Assert.True(options.NoNewPrivileges);
        Assert.Equal(SeccompMode.Unconfined, options.Seccomp);
        Assert.True(options.UnconfinedSystemPaths);
        Assert.False(SecurityOptions.Parse(["no-new-privileges=false"]).NoNewPrivileges);
        Assert.Equal(SeccompMode.Custom, SecurityOptions.Parse(["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"]).Seccomp);
        Assert.Throws<InvalidArgumentException>(() => SecurityOptions.Parse(["no-new-privileges:maybe"]));
        Assert.Throws<InvalidArgumentException>(() => SecurityOptions.Parse(["nonsense"]));
    }
}
