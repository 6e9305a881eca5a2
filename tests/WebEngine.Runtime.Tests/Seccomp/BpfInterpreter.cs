using WebEngine.Runtime.Seccomp;

namespace WebEngine.Runtime.Tests.Seccomp;

/// <summary>
/// A classic-BPF interpreter for the instructions the seccomp compiler emits, with the kernel's
/// checks (forward jumps inside the program, a return at the end of every path, at most 4096
/// instructions), so the tests can run a compiled filter against any seccomp_data.
/// </summary>
internal static class BpfInterpreter
{
    public const uint X86_64 = 0xC000003E;
    public const uint I386 = 0x40000003;

    public static uint Run(IReadOnlyList<BpfInstruction> program, uint arch, int nr, params ulong[] args)
    {
        Validate(program);
        var data = new byte[64];
        BitConverter.TryWriteBytes(data.AsSpan(0), nr);
        BitConverter.TryWriteBytes(data.AsSpan(4), arch);
        for (var i = 0; i < args.Length; i++)
            BitConverter.TryWriteBytes(data.AsSpan(16 + (8 * i)), args[i]);

        uint a = 0;
        var pc = 0;
        while (true)
        {
            var insn = program[pc];
            switch (insn.Code)
            {
                case BpfInstruction.LoadWordAbsolute:
                    if (insn.K > 60 || insn.K % 4 != 0)
                        throw new InvalidOperationException($"load of seccomp_data offset {insn.K} at {pc}");
                    a = BitConverter.ToUInt32(data, (int)insn.K);
                    pc++;
                    break;
                case BpfInstruction.AndConstant:
                    a &= insn.K;
                    pc++;
                    break;
                case BpfInstruction.JumpAlways:
                    pc += 1 + (int)insn.K;
                    break;
                case BpfInstruction.JumpIfEqual:
                    pc += 1 + (a == insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JumpIfGreater:
                    pc += 1 + (a > insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JumpIfGreaterOrEqual:
                    pc += 1 + (a >= insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.ReturnConstant:
                    return insn.K;
                default:
                    throw new InvalidOperationException($"unknown BPF opcode 0x{insn.Code:x} at {pc}");
            }
        }
    }

    /// <summary>The kernel's static checks (sk_chk_filter / seccomp_check_filter).</summary>
    public static void Validate(IReadOnlyList<BpfInstruction> program)
    {
        if (program.Count is 0 or > 4096)
            throw new InvalidOperationException($"program length {program.Count}");
        for (var pc = 0; pc < program.Count; pc++)
        {
            var insn = program[pc];
            long[] targets = insn.Code switch
            {
                BpfInstruction.JumpAlways => [pc + 1L + insn.K],
                BpfInstruction.JumpIfEqual or BpfInstruction.JumpIfGreater or BpfInstruction.JumpIfGreaterOrEqual =>
                    [pc + 1L + insn.JumpTrue, pc + 1L + insn.JumpFalse],
                BpfInstruction.ReturnConstant => [],
                _ => [pc + 1L],
            };
            foreach (var target in targets)
            {
                if (target >= program.Count)
                    throw new InvalidOperationException($"instruction {pc} ({insn}) jumps or falls past the end");
            }
        }
    }
}
