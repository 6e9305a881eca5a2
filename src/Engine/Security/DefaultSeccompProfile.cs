namespace WebEngine.Engine.Security;

/// <summary>
/// WebEngine's default seccomp profile: Docker's default policy, written out as grouped lists. Every
/// syscall not allowed here fails with EPERM. The groups allowed unconditionally are what ordinary
/// programs need; syscalls that reach across the container's boundary (mount, unshare, setns, bpf,
/// module loading, keyrings, clock setting…) are allowed only when the container holds the capability
/// that guards them anyway.
/// </summary>
public static class DefaultSeccompProfile
{
    private const uint EPERM = 1;
    private const uint ENOSYS = 38;

    // Namespace flags of clone(2): a process without CAP_SYS_ADMIN may clone threads and processes but
    // not new namespaces. CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET = 0x7E020000.
    private const ulong CloneNamespaceFlags = 0x7E020000;

    // Address families 38 (AF_ALG) and 40 (AF_VSOCK) are refused; AF_KCM (41) and the rest are not.
    private const ulong AfAlg = 38;
    private const ulong AfVsock = 40;

    // personality(2) values programs really use: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32,
    // and 0xffffffff (a query that changes nothing).
    private static readonly ulong[] Personalities = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

    public static readonly IReadOnlyList<string> Files =
    [
        "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fchdir",
        "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
        "flock", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
        "futimesat", "getcwd", "getdents", "getdents64", "ioctl", "lchown", "lchown32", "link", "linkat",
        "_llseek", "lseek", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "name_to_handle_at",
        "newfstatat", "open", "openat", "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev",
        "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "rename", "renameat", "renameat2",
        "rmdir", "sendfile", "sendfile64", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
        "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate", "truncate64", "umask", "unlink",
        "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vmsplice", "write", "writev",
    ];

    public static readonly IReadOnlyList<string> ExtendedAttributes =
    [
        "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr", "getxattrat", "lgetxattr",
        "listxattr", "listxattrat", "llistxattr", "lremovexattr", "lsetxattr", "removexattr", "removexattrat",
        "setxattr", "setxattrat",
    ];

    /// <summary>Reading the mount table changes nothing; changing it is in <see cref="SysAdmin"/>.</summary>
    public static readonly IReadOnlyList<string> MountInformation = ["listmount", "statmount"];

    public static readonly IReadOnlyList<string> EventsAndPolling =
    [
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
        "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "fanotify_mark", "inotify_add_watch",
        "inotify_init", "inotify_init1", "inotify_rm_watch", "pipe", "pipe2", "poll", "ppoll", "ppoll_time64",
        "pselect6", "pselect6_time64", "select", "_newselect", "signalfd", "signalfd4", "timerfd_create",
        "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
    ];

    /// <summary>Linux AIO; io_uring is deliberately absent, as in Docker.</summary>
    public static readonly IReadOnlyList<string> AsyncIo =
    [
        "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit",
    ];

    public static readonly IReadOnlyList<string> Processes =
    [
        "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "getcpu", "getpgid", "getpgrp",
        "getpid", "getppid", "getpriority", "getrandom", "getrlimit", "get_robust_list", "getrusage", "getsid",
        "gettid", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        "map_shadow_stack", "membarrier", "pidfd_open", "pidfd_send_signal", "prctl", "prlimit64",
        "process_mrelease", "restart_syscall", "riscv_hwprobe", "rseq", "seccomp", "setpgid", "setpriority",
        "setrlimit", "set_robust_list", "setsid", "set_tid_address", "sysinfo", "tgkill", "times", "tkill",
        "ugetrlimit", "uname", "uretprobe", "vfork", "wait4", "waitid", "waitpid",
    ];

    public static readonly IReadOnlyList<string> Credentials =
    [
        "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
        "getresgid", "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32", "setfsgid", "setfsgid32",
        "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32",
        "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
    ];

    public static readonly IReadOnlyList<string> Signals =
    [
        "alarm", "pause", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sigaltstack",
        "sigprocmask", "sigreturn",
    ];

    public static readonly IReadOnlyList<string> ThreadsAndFutexes =
    [
        "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "get_thread_area",
        "set_thread_area",
    ];

    public static readonly IReadOnlyList<string> Memory =
    [
        "brk", "cachestat", "madvise", "memfd_create", "memfd_secret", "mincore", "mlock", "mlock2", "mlockall",
        "mmap", "mmap2", "mprotect", "mremap", "mseal", "msync", "munlock", "munlockall", "munmap", "pkey_alloc",
        "pkey_free", "pkey_mprotect", "remap_file_pages",
    ];

    /// <summary>Reading clocks and timers; adjtimex and clock_adjtime only change the clock with CAP_SYS_TIME.</summary>
    public static readonly IReadOnlyList<string> Time =
    [
        "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
        "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "getitimer", "gettimeofday", "nanosleep",
        "setitimer", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
        "timer_gettime64", "timer_settime", "timer_settime64",
    ];

    public static readonly IReadOnlyList<string> Scheduling =
    [
        "ioprio_get", "ioprio_set", "sched_getaffinity", "sched_getattr", "sched_getparam",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
        "sched_setscheduler", "sched_yield",
    ];

    /// <summary>Socket calls; socket(2) itself is allowed per address family below.</summary>
    public static readonly IReadOnlyList<string> Sockets =
    [
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv",
        "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
        "setsockopt", "shutdown", "socketcall", "socketpair",
    ];

    public static readonly IReadOnlyList<string> InterProcessCommunication =
    [
        "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl",
        "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
    ];

    /// <summary>What CAP_SYS_ADMIN guards: namespaces, mounts, hostname, quotas, tracing, bpf.</summary>
    public static readonly IReadOnlyList<string> SysAdmin =
    [
        "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
        "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount", "mount_setattr", "move_mount",
        "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
        "syslog", "umount", "umount2", "unshare",
    ];

    /// <summary>Syscalls each allowed only with the capability that guards it (besides CAP_SYS_ADMIN).</summary>
    public static readonly IReadOnlyList<(string Capability, string[] Syscalls)> ByCapability =
    [
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_CHROOT", ["chroot"]),
        ("CAP_SYS_MODULE", ["delete_module", "init_module", "finit_module"]),
        ("CAP_SYS_PACCT", ["acct"]),
        ("CAP_SYS_PTRACE", ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_TIME", ["settimeofday", "stime", "clock_settime", "clock_settime64"]),
        ("CAP_SYS_TTY_CONFIG", ["vhangup"]),
        ("CAP_SYS_NICE", ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"]),
        ("CAP_SYSLOG", ["syslog"]),
        ("CAP_BPF", ["bpf"]),
        ("CAP_PERFMON", ["perf_event_open"]),
    ];

    /// <summary>Syscalls that exist only on some architectures (Go names, as the profile's "arches").</summary>
    public static readonly IReadOnlyList<(string[] Arches, string[] Syscalls)> ByArchitecture =
    [
        (["ppc64le"], ["sync_file_range2", "swapcontext"]),
        (["arm", "arm64"], ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"]),
        (["amd64", "x32"], ["arch_prctl"]),
        (["amd64", "x32", "x86"], ["modify_ldt"]),
        (["s390", "s390x"], ["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"]),
        (["riscv64"], ["riscv_flush_icache"]),
    ];

    /// <summary>On a 64-bit host the filter also covers the 32-bit ABIs its processes may use.</summary>
    public static readonly IReadOnlyList<(string Native, string[] Compat)> Architectures =
    [
        ("SCMP_ARCH_X86_64", ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
        ("SCMP_ARCH_AARCH64", ["SCMP_ARCH_ARM"]),
        ("SCMP_ARCH_MIPS64", ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"]),
        ("SCMP_ARCH_MIPS64N32", ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"]),
        ("SCMP_ARCH_MIPSEL64", ["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"]),
        ("SCMP_ARCH_MIPSEL64N32", ["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"]),
        ("SCMP_ARCH_S390X", ["SCMP_ARCH_S390"]),
        ("SCMP_ARCH_RISCV64", []),
        ("SCMP_ARCH_LOONGARCH64", []),
    ];

    /// <summary>Every group allowed without condition.</summary>
    public static IEnumerable<string> AlwaysAllowed =>
        Files.Concat(ExtendedAttributes).Concat(MountInformation).Concat(EventsAndPolling).Concat(AsyncIo)
            .Concat(Processes).Concat(Credentials).Concat(Signals).Concat(ThreadsAndFutexes).Concat(Memory)
            .Concat(Time).Concat(Scheduling).Concat(Sockets).Concat(InterProcessCommunication);

    public static SeccompProfile Create()
    {
        var rules = new List<SeccompRule> { Allow(AlwaysAllowed.Order(StringComparer.Ordinal)) };

        // Before 4.8 a seccomp filter could be bypassed with ptrace, so tracing needs CAP_SYS_PTRACE there.
        rules.Add(Allow(["process_vm_readv", "process_vm_writev", "ptrace"], includes: new SeccompFilter { MinKernel = "4.8" }));

        rules.Add(Allow(["socket"], args: [Arg(0, AfAlg, "SCMP_CMP_LT")]));
        rules.Add(Allow(["socket"], args: [Arg(0, AfAlg + 1, "SCMP_CMP_EQ")]));
        rules.Add(Allow(["socket"], args: [Arg(0, AfVsock, "SCMP_CMP_GT")]));

        rules.AddRange(Personalities.Select(value => Allow(["personality"], args: [Arg(0, value, "SCMP_CMP_EQ")])));

        rules.AddRange(ByArchitecture.Select(group => Allow(group.Syscalls, includes: new SeccompFilter { Arches = [.. group.Arches] })));

        rules.Add(Allow(SysAdmin, includes: Caps("CAP_SYS_ADMIN")));

        // Without CAP_SYS_ADMIN, clone may not create namespaces. s390 swaps clone's first two arguments.
        rules.Add(Allow(["clone"], args: [Arg(0, CloneNamespaceFlags, "SCMP_CMP_MASKED_EQ")],
            excludes: new SeccompFilter { Caps = ["CAP_SYS_ADMIN"], Arches = ["s390", "s390x"] }));
        rules.Add(Allow(["clone"], args: [Arg(1, CloneNamespaceFlags, "SCMP_CMP_MASKED_EQ")],
            includes: new SeccompFilter { Arches = ["s390", "s390x"] }, excludes: Caps("CAP_SYS_ADMIN")));

        // clone3 passes its flags in memory, which seccomp cannot read: ENOSYS makes libc fall back to clone.
        rules.Add(new SeccompRule { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = ENOSYS, Excludes = Caps("CAP_SYS_ADMIN") });

        rules.AddRange(ByCapability.Select(group => Allow(group.Syscalls, includes: Caps(group.Capability))));

        return new SeccompProfile
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = EPERM,
            ArchMap = Architectures.Select(a => new SeccompArchMap { Architecture = a.Native, SubArchitectures = [.. a.Compat] }).ToList(),
            Syscalls = rules,
        };
    }

    private static SeccompRule Allow(IEnumerable<string> names, SeccompRuleArg[]? args = null, SeccompFilter? includes = null, SeccompFilter? excludes = null) =>
        new() { Names = names.ToList(), Action = "SCMP_ACT_ALLOW", Args = args?.ToList(), Includes = includes, Excludes = excludes };

    private static SeccompRuleArg Arg(uint index, ulong value, string op) => new() { Index = index, Value = value, Op = op };

    private static SeccompFilter Caps(string capability) => new() { Caps = [capability] };
}
