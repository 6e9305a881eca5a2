using System.Runtime.InteropServices;

namespace WebEngine.Engine.Security;

/// <summary>
/// The machine a profile is compiled for: the Go architecture name that profiles use in
/// "arches", libseccomp's name for the native architecture, and the kernel version.
/// </summary>
public sealed record SeccompTarget(string Arch, string NativeScmpArch, Version Kernel)
{
    private static readonly Lazy<SeccompTarget> CurrentLazy = new(Detect);

    /// <summary>This host.</summary>
    public static SeccompTarget Current => CurrentLazy.Value;

    private static SeccompTarget Detect()
    {
        var (arch, scmp) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => ("amd64", "SCMP_ARCH_X86_64"),
            Architecture.X86 => ("x86", "SCMP_ARCH_X86"),
            Architecture.Arm64 => ("arm64", "SCMP_ARCH_AARCH64"),
            Architecture.Arm => ("arm", "SCMP_ARCH_ARM"),
            Architecture.S390x => ("s390x", "SCMP_ARCH_S390X"),
            Architecture.Ppc64le => ("ppc64le", "SCMP_ARCH_PPC64LE"),
            Architecture.RiscV64 => ("riscv64", "SCMP_ARCH_RISCV64"),
            Architecture.LoongArch64 => ("loong64", "SCMP_ARCH_LOONGARCH64"),
            var other => throw new PlatformNotSupportedException($"seccomp: no libseccomp architecture known for {other}"),
        };
        return new SeccompTarget(arch, scmp, ParseKernel(File.ReadAllText("/proc/sys/kernel/osrelease")));
    }

    /// <summary>"6.1.0-18-amd64" → 6.1.0: the numeric prefix of each dot-separated part.</summary>
    public static Version ParseKernel(string release)
    {
        var numbers = release.Trim().Split('.', 3)
            .Select(part => new string(part.TakeWhile(char.IsAsciiDigit).ToArray()))
            .Select(digits => digits.Length == 0 ? 0 : int.Parse(digits))
            .ToList();
        while (numbers.Count < 3)
            numbers.Add(0);
        return new Version(numbers[0], numbers[1], numbers[2]);
    }
}
