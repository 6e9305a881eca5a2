using System.Runtime.InteropServices;

namespace WebEngine.Runtime.Seccomp;

/// <summary>The few syscalls that install a filter; errno via Marshal.GetLastPInvokeError().</summary>
internal static partial class SeccompNative
{
    public const long SysSeccomp = 317; // x86_64 __NR_seccomp
    public const uint SetModeFilter = 1; // SECCOMP_SET_MODE_FILTER
    public const int PrSetNoNewPrivs = 38;
    public const int PrSetSeccomp = 22;
    public const int SeccompModeFilter = 2;
    public const int EACCES = 13;
    public const int ENOSYS = 38;

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SockFprog
    {
        public ushort Length;
        public BpfInstruction* Filter;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static unsafe partial long Seccomp(long number, uint operation, uint flags, SockFprog* program);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static unsafe partial int PrctlSeccomp(int option, nuint mode, SockFprog* program, nuint unused1, nuint unused2);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
