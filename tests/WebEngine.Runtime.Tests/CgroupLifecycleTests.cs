using WebEngine.Linux;
using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>The lifecycle parts that go through the container's cgroup: pause/resume, resources, removal, seccomp.</summary>
public sealed class CgroupLifecycleTests : ContainerTestBase
{
    [Fact]
    public void Pause_freezes_and_resume_thaws()
    {
        Command("sleep", "1000");
        Create();
        var refused = Cli.Run("pause", Id);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"cannot pause container {Id}: it is created", refused.Stderr);
        Cli.Ok("start", Id);
        Cli.Ok("pause", Id);
        Assert.Equal(ContainerStatus.Paused, State().Status);
        var freezer = $"/sys/fs/cgroup/freezer{Spec.Linux!.CgroupsPath}/freezer.state";
        if (File.Exists(freezer))
            Assert.Equal("FROZEN", File.ReadAllText(freezer).Trim());
        Cli.Ok("resume", Id);
        Assert.Equal(ContainerStatus.Running, State().Status);
        var again = Cli.Run("resume", Id);
        Assert.Contains($"cannot resume container {Id}: it is running", again.Stderr);
    }

    [Fact]
    public void Delete_of_a_paused_container_with_force_removes_it()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        Cli.Ok("pause", Id);
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Resources_are_applied_to_the_container_cgroup_which_delete_removes()
    {
        Spec.Linux!.CgroupsPath = "/webengine-test-resources-" + Id;
        Spec.Linux.Resources = new LinuxResources { Pids = new LinuxPids { Limit = 42 } };
        Command("sleep", "1000");
        Create();
        var cgroup = PidsCgroupDirectory();
        Assert.Equal("42", File.ReadAllText(Path.Combine(cgroup, "pids.max")).Trim());
        Assert.Contains(State().Pid.ToString(), File.ReadAllText(Path.Combine(cgroup, "cgroup.procs")));
        Cli.Ok("delete", Id);
        Assert.False(Directory.Exists(cgroup), $"{cgroup} is left after delete");
    }

    [Fact]
    public void The_init_starts_in_the_container_cgroup_in_every_hierarchy_with_all_its_threads_and_so_does_an_exec()
    {
        // The init is cloned into the cgroup2 directory and moves itself into each v1 one before it execs (nothing is
        // moved by pid): every thread .NET starts in it afterwards, and the program it execs, must be there too.
        Spec.Linux!.CgroupsPath = "/webengine-test-placement-" + Id;
        // Without a cgroup namespace, the exec'd process's own /proc/self/cgroup shows the host's paths.
        Spec.Linux.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        Command("sleep", "1000");
        Create();
        var pid = State().Pid;
        var threads = Directory.GetDirectories($"/proc/{pid}/task");
        Assert.NotEmpty(threads);
        foreach (var thread in threads)
            AssertInContainerCgroup(File.ReadAllText(Path.Combine(thread, "cgroup")), $"thread {Path.GetFileName(thread)} of the created init");
        Cli.Ok("start", Id);
        AssertInContainerCgroup(File.ReadAllText($"/proc/{pid}/cgroup"), "the started init");
        AssertInContainerCgroup(Cli.Ok("exec", Id, "cat", "/proc/self/cgroup").Stdout, "an exec'd process");
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
        Assert.False(Directory.Exists(PidsCgroupDirectory()), "the container's cgroup is left after delete");
    }

    /// <summary>Each line of a /proc/PID/cgroup text (every hierarchy, cgroup2's "0::" too) names the container's cgroup.</summary>
    private void AssertInContainerCgroup(string procCgroup, string what)
    {
        var lines = procCgroup.Trim().Split('\n');
        Assert.True(lines.Length > 0, $"{what}: /proc/PID/cgroup is empty");
        foreach (var line in lines)
            Assert.True(line.EndsWith(":" + Spec.Linux!.CgroupsPath, StringComparison.Ordinal), $"{what} is not in {Spec.Linux.CgroupsPath}: {line}");
    }

    [Fact]
    public void A_relative_cgroups_path_stays_where_create_put_it_when_delete_runs_from_another_cgroup()
    {
        // The creator runs in a pids cgroup of its own; the delete runs from the test's cgroup. Resolved again against
        // the deleter's cgroup, the relative path would name another directory and the container's would be left.
        Assert.True(Directory.Exists("/sys/fs/cgroup/pids"),
            "this test needs the cgroup v1 pids hierarchy at /sys/fs/cgroup/pids (a cgroup v1 or hybrid host)");
        var creatorCgroup = "/sys/fs/cgroup/pids/webengine-test-creator-" + Id;
        var relative = "webengine-test-relative-" + Id;
        var containerCgroup = Path.Combine(creatorCgroup, relative);
        Directory.CreateDirectory(creatorCgroup);
        try
        {
            Spec.Linux!.CgroupsPath = relative;
            Command("sleep", "1000");
            // Output goes to a file, not a pipe: the created container keeps the runtime's stdio open.
            var stderrPath = Path.Combine(Cli.Root, ".create-err");
            var startInfo = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var arg in new[] { "-c", "echo $$ > \"$CREATOR\"/cgroup.procs && exec \"$0\" \"$@\" </dev/null >/dev/null 2>\"$ERR\"",
                         Cli.Binary, "--root", Cli.Root, "create", "--bundle", Bundle.Path, Id })
                startInfo.ArgumentList.Add(arg);
            startInfo.Environment["CREATOR"] = creatorCgroup;
            startInfo.Environment["ERR"] = stderrPath;
            startInfo.Environment["WEBENGINE_TEST_TAG"] = Cli.Tag;
            using (var create = System.Diagnostics.Process.Start(startInfo)!)
            {
                if (!create.WaitForExit(60_000))
                    create.Kill(entireProcessTree: true);
                Assert.True(create.HasExited && create.ExitCode == 0, $"create from {creatorCgroup} failed: {File.ReadAllText(stderrPath)}");
            }
            Assert.Contains(State().Pid.ToString(), File.ReadAllText(Path.Combine(containerCgroup, "cgroup.procs")));

            Cli.Ok("delete", "--force", Id);
            Assert.False(Directory.Exists(containerCgroup), $"{containerCgroup} is left after a delete run from another cgroup");
        }
        finally
        {
            Cli.Run("delete", "--force", Id);
            RemoveCgroup(containerCgroup);
            RemoveCgroup(creatorCgroup);
        }
    }

    /// <summary>Kills what is left in a cgroup of the test's own and removes it, once its processes are gone.</summary>
    private static void RemoveCgroup(string directory)
    {
        for (var attempt = 0; Directory.Exists(directory); attempt++)
        {
            foreach (var pid in File.ReadAllLines(Path.Combine(directory, "cgroup.procs")))
                _ = Libc.Kill(int.Parse(pid), 9);
            try
            {
                Directory.Delete(directory);
            }
            catch (IOException) when (attempt < 250)
            {
                Thread.Sleep(20);
            }
        }
    }

    [Fact]
    public void Seccomp_is_installed_before_the_program_runs()
    {
        Spec.Linux!.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Architectures = ["SCMP_ARCH_X86_64"],
            Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 }],
        };
        Spec.Root!.Readonly = false;
        var output = Sh("mkdir /tmp/blocked 2>&1 || echo refused");
        Assert.Contains("Operation not permitted", output);
        Assert.Contains("refused", output);
    }

    private string PidsCgroupDirectory()
    {
        var v1 = "/sys/fs/cgroup/pids" + Spec.Linux!.CgroupsPath;
        return Directory.Exists(v1) ? v1 : "/sys/fs/cgroup" + Spec.Linux.CgroupsPath;
    }
}
