namespace WebEngine.Runtime.Seccomp;

/// <summary>An OCI seccomp architecture name and the AUDIT_ARCH value the kernel reports in seccomp_data.arch.</summary>
public sealed record SeccompArchitecture(string Name, uint AuditArch, bool HasSyscallTable, bool Is64Bit)
{
    private const uint Arch64 = 0x80000000;   // __AUDIT_ARCH_64BIT
    private const uint LittleEndian = 0x40000000; // __AUDIT_ARCH_LE

    /// <summary>Bit set in seccomp_data.nr for x32 syscalls, which share AUDIT_ARCH_X86_64.</summary>
    public const uint X32SyscallBit = 0x40000000;

    public static readonly SeccompArchitecture X86_64 = new("SCMP_ARCH_X86_64", 62 | Arch64 | LittleEndian, true, true);
    public static readonly SeccompArchitecture X86 = new("SCMP_ARCH_X86", 3 | LittleEndian, true, false);
    public static readonly SeccompArchitecture X32 = new("SCMP_ARCH_X32", 62 | Arch64 | LittleEndian, true, true);

    // The other names of the OCI spec. WebEngine runs on x86_64 and has no syscall tables for them:
    // a profile may list them, but a task of such an architecture then gets the bad-architecture
    // action (it could only appear through an emulator that issues native x86_64 syscalls anyway).
    private static readonly SeccompArchitecture[] WithoutTable =
    [
        new("SCMP_ARCH_ARM", 40 | LittleEndian, false, false),
        new("SCMP_ARCH_AARCH64", 183 | Arch64 | LittleEndian, false, true),
        new("SCMP_ARCH_MIPS", 8, false, false),
        new("SCMP_ARCH_MIPS64", 8 | Arch64, false, true),
        new("SCMP_ARCH_MIPS64N32", 8 | Arch64 | 0x20000000, false, true),
        new("SCMP_ARCH_MIPSEL", 8 | LittleEndian, false, false),
        new("SCMP_ARCH_MIPSEL64", 8 | Arch64 | LittleEndian, false, true),
        new("SCMP_ARCH_MIPSEL64N32", 8 | Arch64 | LittleEndian | 0x20000000, false, true),
        new("SCMP_ARCH_PPC", 20, false, false),
        new("SCMP_ARCH_PPC64", 21 | Arch64, false, true),
        new("SCMP_ARCH_PPC64LE", 21 | Arch64 | LittleEndian, false, true),
        new("SCMP_ARCH_S390", 22, false, false),
        new("SCMP_ARCH_S390X", 22 | Arch64, false, true),
        new("SCMP_ARCH_PARISC", 15, false, false),
        new("SCMP_ARCH_PARISC64", 15 | Arch64, false, true),
        new("SCMP_ARCH_RISCV64", 243 | Arch64 | LittleEndian, false, true),
        new("SCMP_ARCH_LOONGARCH64", 258 | Arch64 | LittleEndian, false, true),
        new("SCMP_ARCH_M68K", 4, false, false),
        new("SCMP_ARCH_SH", 42 | LittleEndian, false, false),
        new("SCMP_ARCH_SHEB", 42, false, false),
    ];

    /// <summary>The architecture of the running process, used when a profile lists none (as libseccomp does).</summary>
    public static SeccompArchitecture Native => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => X86_64,
        System.Runtime.InteropServices.Architecture.X86 => X86,
        var other => throw new SeccompException($"seccomp: the process architecture {other} is not supported"),
    };

    public static SeccompArchitecture Parse(string name)
    {
        if (name == X86_64.Name) return X86_64;
        if (name == X86.Name) return X86;
        if (name == X32.Name) return X32;
        return WithoutTable.FirstOrDefault(a => a.Name == name)
            ?? throw new SeccompException($"seccomp: unknown architecture \"{name}\"");
    }
}
