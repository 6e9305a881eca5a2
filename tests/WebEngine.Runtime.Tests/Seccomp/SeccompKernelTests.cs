using System.Runtime.InteropServices;
using WebEngine.Oci;
using WebEngine.Runtime.Seccomp;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests.Seccomp;

/// <summary>
/// Installs compiled filters in the real kernel on a dedicated thread: no_new_privs and seccomp
/// filters belong to the thread, which then exits and takes the filter with it, so the test
/// process stays unfiltered. Only ERRNO and ALLOW are tried here (KILL/TRAP would kill the test host).
/// </summary>
public sealed partial class SeccompKernelTests
{
    private const int EPERM = 1;
    private const int EACCES = 13;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long arg0, long arg1, long arg2);

    [LibraryImport("libc", EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial long SyscallPath(long number, string path, long mode);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static unsafe partial int Capget(uint* header, uint* data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static unsafe partial int Capset(uint* header, uint* data);

    /// <summary>Removes CAP_SYS_ADMIN from the calling thread's effective set (capabilities are per thread).</summary>
    private static unsafe void DropSysAdminFromThisThread()
    {
        const uint version3 = 0x20080522;
        const int capSysAdmin = 21;
        var header = stackalloc uint[2] { version3, 0 };
        var data = stackalloc uint[6]; // two { effective, permitted, inheritable } words
        if (Capget(header, data) != 0)
            throw new InvalidOperationException($"capget: errno {Marshal.GetLastPInvokeError()}");
        data[0] &= ~(1u << capSysAdmin);
        if (Capset(header, data) != 0)
            throw new InvalidOperationException($"capset: errno {Marshal.GetLastPInvokeError()}");
    }

    private static long Nr(string name) => SyscallTable.Lookup(SeccompArchitecture.X86_64, name)!.Value;

    /// <summary>A syscall's result and errno, read right after it on the same thread.</summary>
    private readonly record struct Outcome(long Result, int Errno);

    private static Outcome Call(Func<long> syscall)
    {
        var result = syscall();
        return new Outcome(result, result < 0 ? Marshal.GetLastPInvokeError() : 0);
    }

    /// <summary>Runs <paramref name="body"/> on a new thread after installing <paramref name="program"/> there.</summary>
    private static T OnFilteredThread<T>(SeccompProgram program, Func<T> body)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SeccompProgram.SetNoNewPrivileges();
                program.Install();
                result = body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException("filtered thread failed", failure);
        return result!;
    }

    [Fact]
    public void Errno_rules_and_argument_conditions_hold_in_the_kernel_for_the_filtered_thread_only()
    {
        using var temp = new TempDirectory("webengine-seccomp");
        var program = SeccompProgram.Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            Syscalls =
            [
                new LinuxSyscall { Names = ["uname"], Action = "SCMP_ACT_ERRNO" },
                new LinuxSyscall
                {
                    Names = ["mkdir"],
                    Action = "SCMP_ACT_ERRNO",
                    ErrnoRet = EACCES,
                    Args = [new LinuxSeccompArg { Index = 1, Op = "SCMP_CMP_EQ", Value = 0x1c0 /* 0700 */ }],
                },
                new LinuxSyscall
                {
                    // getpid ignores its arguments, so any 64-bit value can reach the filter.
                    Names = ["getpid"],
                    Action = "SCMP_ACT_ERRNO",
                    ErrnoRet = 7,
                    Args = [new LinuxSeccompArg { Index = 0, Op = "SCMP_CMP_MASKED_EQ", Value = 0xffffffff_00000000, ValueTwo = 0x5_00000000 }],
                },
            ],
        });
        var denied = temp.Combine("denied");
        var allowed = temp.Combine("allowed");
        var buffer = Marshal.AllocHGlobal(512);
        try
        {
            var outcomes = OnFilteredThread(program, () => new[]
            {
                Call(() => Syscall(Nr("uname"), buffer, 0, 0)),
                Call(() => SyscallPath(Nr("mkdir"), denied, 0x1c0)),
                Call(() => SyscallPath(Nr("mkdir"), allowed, 0x1ed)),
                Call(() => Syscall(Nr("getpid"), 0x5_00000009, 0, 0)),
                Call(() => Syscall(Nr("getpid"), 0x6_00000009, 0, 0)),
                Call(() => Syscall(Nr("getpid"), 0x5, 0, 0)),
                Call(() => Prctl(39 /* PR_GET_NO_NEW_PRIVS */, 0, 0, 0, 0)),
            });

            Assert.Equal(new Outcome(-1, EPERM), outcomes[0]);
            Assert.Equal(new Outcome(-1, EACCES), outcomes[1]);
            Assert.Equal(new Outcome(0, 0), outcomes[2]);
            Assert.Equal(new Outcome(-1, 7), outcomes[3]);
            Assert.Equal(Environment.ProcessId, outcomes[4].Result);
            Assert.Equal(Environment.ProcessId, outcomes[5].Result);
            Assert.Equal(1, outcomes[6].Result);
            Assert.False(Directory.Exists(denied));
            Assert.True(Directory.Exists(allowed));

            // The test thread itself is not filtered and has no no_new_privs.
            Assert.Equal(0, Syscall(Nr("uname"), buffer, 0, 0));
            Assert.Equal(0, SyscallPath(Nr("mkdir"), denied, 0x1c0));
            Assert.Equal(0, Prctl(39, 0, 0, 0, 0));
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    [Fact]
    public void The_kernel_accepts_a_docker_sized_profile_with_long_jumps()
    {
        using var temp = new TempDirectory("webengine-seccomp");
        var program = SeccompProgram.Compile(SeccompCompilerTests.DockerSizedProfile("mkdir", "mkdirat"));
        Assert.True(program.Instructions.Count > 255);
        var path = temp.Combine("x");

        var outcomes = OnFilteredThread(program, () => new[]
        {
            Call(() => SyscallPath(Nr("mkdir"), path, 0x1ed)),
            Call(() => Syscall(Nr("getpid"), 0, 0, 0)),
            Call(() => Syscall(Nr("personality"), 0xffffffff, 0, 0)),
            Call(() => Syscall(Nr("personality"), 0x1234, 0, 0)),
        });

        Assert.Equal(new Outcome(-1, EPERM), outcomes[0]);
        Assert.Equal(Environment.ProcessId, outcomes[1].Result);
        Assert.True(outcomes[2].Result >= 0, $"personality(0xffffffff) gave errno {outcomes[2].Errno}");
        Assert.Equal(new Outcome(-1, EPERM), outcomes[3]);
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void Filter_flags_reach_the_kernel()
    {
        // SECCOMP_FILTER_FLAG_LOG | SPEC_ALLOW: a wrong encoding of the flags is refused with EINVAL.
        var program = SeccompProgram.Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
            Syscalls = [new LinuxSyscall { Names = ["uname"], Action = "SCMP_ACT_LOG" }],
        });
        var buffer = Marshal.AllocHGlobal(512);
        try
        {
            var outcome = OnFilteredThread(program, () => Call(() => Syscall(Nr("uname"), buffer, 0, 0)));

            Assert.Equal(new Outcome(0, 0), outcome);
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    [Fact]
    public void Without_no_new_privs_or_CAP_SYS_ADMIN_install_fails_with_EACCES_and_says_why()
    {
        Prerequisites.RequireRoot();
        var program = SeccompProgram.Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW" });
        Exception? outcome = null;
        var thread = new Thread(() =>
        {
            try
            {
                DropSysAdminFromThisThread();
                program.Install();
            }
            catch (Exception e)
            {
                outcome = e;
            }
        });
        thread.Start();
        thread.Join();

        var error = Assert.IsType<SeccompException>(outcome);
        Assert.Equal(EACCES, error.Errno);
        Assert.Contains("no_new_privs", error.Message);
    }
}
