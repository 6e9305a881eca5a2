using System.Collections.Frozen;

namespace WebEngine.Runtime.Seccomp;

/// <summary>Syscall name to number, per architecture; the data is generated from the kernel headers.</summary>
internal static partial class SyscallTable
{
    // Built on first use: static field initializers of the generated part would run in file order.
    private static FrozenDictionary<string, int> X86_64 => field ??= X86_64Entries.ToFrozenDictionary(e => e.Name, e => e.Number);

    private static FrozenDictionary<string, int> X86 => field ??= X86Entries.ToFrozenDictionary(e => e.Name, e => e.Number);

    private static FrozenDictionary<string, int> X32 => field ??= X32Entries.ToFrozenDictionary(e => e.Name, e => e.Number);

    /// <summary>The syscall's number on <paramref name="architecture"/>, or null when that architecture has no such syscall.</summary>
    public static int? Lookup(SeccompArchitecture architecture, string name)
    {
        var table = architecture.Name switch
        {
            "SCMP_ARCH_X86_64" => X86_64,
            "SCMP_ARCH_X86" => X86,
            "SCMP_ARCH_X32" => X32,
            _ => throw new ArgumentException($"no syscall table for {architecture.Name}", nameof(architecture)),
        };
        return table.TryGetValue(name, out var number) ? number : null;
    }

    /// <summary>Every syscall name known on <paramref name="architecture"/> (for tests and diagnostics).</summary>
    public static IEnumerable<string> Names(SeccompArchitecture architecture) => architecture.Name switch
    {
        "SCMP_ARCH_X86_64" => X86_64.Keys,
        "SCMP_ARCH_X86" => X86.Keys,
        "SCMP_ARCH_X32" => X32.Keys,
        _ => [],
    };
}
