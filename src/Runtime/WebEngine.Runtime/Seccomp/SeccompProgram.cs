using WebEngine.Oci;

namespace WebEngine.Runtime.Seccomp;

/// <summary>
/// A seccomp filter compiled from an OCI linux.seccomp section to classic BPF, ready to install
/// on the calling thread. Compile early (it allocates and may throw); install last.
/// </summary>
public sealed class SeccompProgram
{
    /// <summary>SECCOMP_FILTER_FLAG_* values accepted in the profile's "flags".</summary>
    private static readonly Dictionary<string, uint> KnownFlags = new(StringComparer.Ordinal)
    {
        ["SECCOMP_FILTER_FLAG_TSYNC"] = 1,
        ["SECCOMP_FILTER_FLAG_LOG"] = 2,
        ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"] = 4,
    };

    private readonly BpfInstruction[] _instructions;

    private SeccompProgram(BpfInstruction[] instructions, uint flags)
    {
        _instructions = instructions;
        Flags = flags;
    }

    /// <summary>The BPF program, as the kernel will run it.</summary>
    public IReadOnlyList<BpfInstruction> Instructions => _instructions;

    /// <summary>The SECCOMP_FILTER_FLAG_* bits passed to seccomp(2).</summary>
    public uint Flags { get; }

    /// <summary>
    /// Compiles <paramref name="spec"/>. Unknown syscall names are ignored (as runc and libseccomp
    /// do: profiles name syscalls newer kernels added); unknown actions, operators, architectures
    /// and flags throw <see cref="SeccompException"/> naming the value. SCMP_ACT_NOTIFY is not supported.
    /// </summary>
    public static SeccompProgram Compile(LinuxSeccomp spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.ListenerPath is { Length: > 0 })
            throw new SeccompException($"seccomp: listenerPath \"{spec.ListenerPath}\" needs SCMP_ACT_NOTIFY, which webengine-runtime does not support");
        uint flags = 0;
        foreach (var flag in spec.Flags ?? [])
        {
            if (!KnownFlags.TryGetValue(flag, out var bit))
                throw new SeccompException($"seccomp: unknown or unsupported flag \"{flag}\"");
            flags |= bit;
        }
        return new SeccompProgram(SeccompCompiler.Compile(spec), flags);
    }

    /// <summary>
    /// Installs the filter on the calling thread (on all threads with SECCOMP_FILTER_FLAG_TSYNC).
    /// The thread needs no_new_privs (<see cref="SetNoNewPrivileges"/>) or CAP_SYS_ADMIN. From the
    /// moment this returns, every syscall of the thread goes through the filter, including the ones
    /// the caller still makes before execve: the caller must do nothing but execve afterwards, and
    /// the profile must allow execve (as with runc). Nothing here allocates after the filter is set.
    /// </summary>
    public unsafe void Install()
    {
        fixed (BpfInstruction* filter = _instructions)
        {
            var program = new SeccompNative.SockFprog { Length = (ushort)_instructions.Length, Filter = filter };
            var result = SeccompNative.Seccomp(SeccompNative.SysSeccomp, SeccompNative.SetModeFilter, Flags, &program);
            if (result == 0)
                return;
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (result > 0)
                throw new SeccompException($"seccomp(SECCOMP_SET_MODE_FILTER, TSYNC): thread {result} could not be synchronized");
            if (errno == SeccompNative.ENOSYS && Flags == 0)
            {
                // Kernels before 3.17 have no seccomp(2); prctl installs the same filter without flags.
                if (SeccompNative.PrctlSeccomp(SeccompNative.PrSetSeccomp, SeccompNative.SeccompModeFilter, &program, 0, 0) == 0)
                    return;
                errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new SeccompException($"prctl(PR_SET_SECCOMP) with {_instructions.Length} BPF instructions", errno);
            }
            throw new SeccompException(
                $"seccomp(SECCOMP_SET_MODE_FILTER, flags 0x{Flags:x}) with {_instructions.Length} BPF instructions"
                + (errno == SeccompNative.EACCES ? " (the thread has neither no_new_privs nor CAP_SYS_ADMIN: without noNewPrivileges, install before dropping capabilities)" : ""),
                errno);
        }
    }

    /// <summary>Sets no_new_privs on the calling thread (inherited by its children), which an unprivileged filter install needs.</summary>
    public static void SetNoNewPrivileges()
    {
        if (SeccompNative.Prctl(SeccompNative.PrSetNoNewPrivs, 1, 0, 0, 0) != 0)
            throw new SeccompException("prctl(PR_SET_NO_NEW_PRIVS, 1)", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }
}
