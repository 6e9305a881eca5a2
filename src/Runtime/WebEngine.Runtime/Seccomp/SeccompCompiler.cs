using WebEngine.Oci;

namespace WebEngine.Runtime.Seccomp;

/// <summary>
/// Translates an OCI linux.seccomp section into classic BPF, the way libseccomp lays it out:
/// check the architecture, dispatch on the syscall number, test argument conditions, return an action.
/// </summary>
internal static class SeccompCompiler
{
    // Offsets in struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }.
    private const uint NrOffset = 0;
    private const uint ArchOffset = 4;
    private const uint ArgsOffset = 16;
    private const int MaxArgs = 6;
    private const uint ENOSYS = 38;

    /// <summary>Syscalls per shared return: keeps every `jeq` of a run within a short jump of it.</summary>
    private const int MaxGroup = 200;

    /// <summary>What libseccomp returns for a task whose architecture is not in the profile (SCMP_ACT_KILL).</summary>
    private const uint BadArchAction = SeccompAction.KillThread;

    private sealed record Condition(uint Index, string Op, ulong Value, ulong ValueTwo);

    private sealed record Rule(uint Action, IReadOnlyList<Condition> Conditions);

    public static BpfInstruction[] Compile(LinuxSeccomp spec)
    {
        var defaultAction = SeccompAction.Encode(spec.DefaultAction, spec.DefaultErrnoRet);
        var architectures = (spec.Architectures is { Count: > 0 } names
                ? names.Select(SeccompArchitecture.Parse)
                : [SeccompArchitecture.Native])
            .Distinct()
            .ToList();
        var rules = ParseRules(spec.Syscalls ?? []);

        var asm = new BpfAssembler();
        var x86_64Listed = architectures.Contains(SeccompArchitecture.X86_64);
        var x32Listed = architectures.Contains(SeccompArchitecture.X32);
        var badArch = asm.NewLabel();

        // Dispatch on seccomp_data.arch. x32 shares AUDIT_ARCH_X86_64 with x86_64 and differs only
        // by a bit in the syscall number, so both live in one block.
        asm.LoadWord(ArchOffset);
        var blocks = new List<(SeccompArchitecture Arch, BpfAssembler.Label Label)>();
        foreach (var arch in architectures.Where(a => a.HasSyscallTable && a != SeccompArchitecture.X32))
            blocks.Add((arch, asm.NewLabel()));
        if (x32Listed && !x86_64Listed)
            blocks.Add((SeccompArchitecture.X86_64, asm.NewLabel()));
        foreach (var (arch, label) in blocks)
            asm.JumpIf(BpfInstruction.JumpIfEqual, arch.AuditArch, label, BpfAssembler.Label.Next);
        asm.Jump(badArch);

        foreach (var (arch, label) in blocks)
        {
            asm.Mark(label);
            asm.LoadWord(NrOffset);
            if (arch != SeccompArchitecture.X86_64)
            {
                EmitSyscalls(asm, arch, rules, defaultAction);
                continue;
            }
            var x32 = x32Listed ? asm.NewLabel() : badArch;
            asm.JumpIf(BpfInstruction.JumpIfGreaterOrEqual, SeccompArchitecture.X32SyscallBit, x32, BpfAssembler.Label.Next);
            if (x86_64Listed)
                EmitSyscalls(asm, arch, rules, defaultAction);
            else
                asm.Jump(badArch);
            if (x32Listed)
            {
                asm.Mark(x32);
                EmitSyscalls(asm, SeccompArchitecture.X32, rules, defaultAction);
            }
        }
        asm.Mark(badArch);
        asm.Return(BadArchAction);
        return asm.Assemble();
    }

    /// <summary>The rules per syscall name, in profile order (the first rule that matches wins).</summary>
    private static List<(string Name, List<Rule> Rules)> ParseRules(List<LinuxSyscall> syscalls)
    {
        var byName = new Dictionary<string, List<Rule>>(StringComparer.Ordinal);
        var order = new List<(string, List<Rule>)>();
        foreach (var syscall in syscalls)
        {
            var action = SeccompAction.Encode(syscall.Action, syscall.ErrnoRet);
            var conditions = (syscall.Args ?? []).Select(ParseCondition).ToList();
            foreach (var name in syscall.Names)
            {
                if (!byName.TryGetValue(name, out var list))
                {
                    list = [];
                    byName.Add(name, list);
                    order.Add((name, list));
                }
                list.Add(new Rule(action, conditions));
            }
        }
        return order;
    }

    private static Condition ParseCondition(LinuxSeccompArg arg)
    {
        if (arg.Index >= MaxArgs)
            throw new SeccompException($"seccomp: argument index {arg.Index} is out of range (a syscall has {MaxArgs} arguments)");
        if (arg.Op is not ("SCMP_CMP_NE" or "SCMP_CMP_LT" or "SCMP_CMP_LE" or "SCMP_CMP_EQ" or "SCMP_CMP_GE" or "SCMP_CMP_GT" or "SCMP_CMP_MASKED_EQ"))
            throw new SeccompException($"seccomp: unknown argument operator \"{arg.Op}\"");
        return new Condition(arg.Index, arg.Op, arg.Value, arg.ValueTwo);
    }

    /// <summary>
    /// Emits, with the syscall number in A, the comparisons of every syscall the profile names on
    /// <paramref name="arch"/>, then the default action. A syscall with conditions gets
    /// `if nr != N skip; rules...; default`: the conditions clobber A, so when they all fail the
    /// default action is returned right there instead of falling through to the next comparison.
    /// </summary>
    private static void EmitSyscalls(BpfAssembler asm, SeccompArchitecture arch, List<(string Name, List<Rule> Rules)> rules, uint defaultAction)
    {
        // Names unknown on this architecture are ignored, as libseccomp does; two names with the
        // same number (aliases) share one dispatch entry, rules in profile order.
        var byNumber = new Dictionary<int, List<Rule>>();
        var numbers = new List<int>();
        foreach (var (name, nameRules) in rules)
        {
            if (SyscallTable.Lookup(arch, name) is not { } number)
                continue;
            if (!byNumber.TryGetValue(number, out var list))
            {
                list = [];
                byNumber.Add(number, list);
                numbers.Add(number);
            }
            list.AddRange(nameRules);
        }

        // As runc does: a syscall newer than every syscall the profile names fails with ENOSYS
        // instead of the default errno, so that libc falls back to the older syscall it replaces
        // (as for clone3 or fchmodat2) instead of reporting EPERM.
        if (numbers.Count > 0 && defaultAction is not (SeccompAction.Allow or SeccompAction.Log))
        {
            var skipNewer = asm.NewLabel();
            asm.JumpIf(BpfInstruction.JumpIfGreater, (uint)numbers.Max(), BpfAssembler.Label.Next, skipNewer);
            asm.Return(SeccompAction.Errno | ENOSYS);
            asm.Mark(skipNewer);
        }

        // Syscalls whose first rule is unconditional (most of a typical profile) are grouped by
        // action: a run of `jeq N, ret` sharing one return costs one instruction per syscall.
        // Numbers are distinct, so the order of the comparisons does not change the result.
        var unconditional = numbers
            .Where(n => byNumber[n][0].Conditions.Count == 0)
            .GroupBy(n => byNumber[n][0].Action);
        foreach (var group in unconditional)
        {
            foreach (var chunk in group.Chunk(MaxGroup))
            {
                var matched = asm.NewLabel();
                for (var i = 0; i < chunk.Length - 1; i++)
                    asm.JumpIf(BpfInstruction.JumpIfEqual, (uint)chunk[i], matched, BpfAssembler.Label.Next);
                var skip = asm.NewLabel();
                asm.JumpIf(BpfInstruction.JumpIfEqual, (uint)chunk[^1], BpfAssembler.Label.Next, skip);
                asm.Mark(matched);
                asm.Return(group.Key);
                asm.Mark(skip);
            }
        }

        foreach (var number in numbers.Where(n => byNumber[n][0].Conditions.Count > 0))
        {
            var skip = asm.NewLabel();
            asm.JumpIf(BpfInstruction.JumpIfEqual, (uint)number, BpfAssembler.Label.Next, skip);
            var endsUnconditionally = false;
            foreach (var rule in byNumber[number])
            {
                if (rule.Conditions.Count == 0)
                {
                    asm.Return(rule.Action);
                    endsUnconditionally = true;
                    break; // later rules for this syscall can never match
                }
                var fail = asm.NewLabel();
                foreach (var condition in rule.Conditions)
                    EmitCondition(asm, arch, condition, fail);
                asm.Return(rule.Action);
                asm.Mark(fail);
            }
            if (!endsUnconditionally)
                asm.Return(defaultAction);
            asm.Mark(skip);
        }
        asm.Return(defaultAction);
    }

    /// <summary>Falls through when the condition holds, jumps to <paramref name="fail"/> otherwise.</summary>
    private static void EmitCondition(BpfAssembler asm, SeccompArchitecture arch, Condition c, BpfAssembler.Label fail)
    {
        var next = BpfAssembler.Label.Next;
        var lowOffset = ArgsOffset + (8 * c.Index);   // little-endian: the low half comes first
        var highOffset = lowOffset + 4;
        var low = (uint)c.Value;
        var high = (uint)(c.Value >> 32);

        if (!arch.Is64Bit)
        {
            // A 32-bit task's arguments are 32 bits wide: only the low half is meaningful, as in libseccomp.
            asm.LoadWord(lowOffset);
            switch (c.Op)
            {
                case "SCMP_CMP_EQ": asm.JumpIf(BpfInstruction.JumpIfEqual, low, next, fail); break;
                case "SCMP_CMP_NE": asm.JumpIf(BpfInstruction.JumpIfEqual, low, fail, next); break;
                case "SCMP_CMP_GT": asm.JumpIf(BpfInstruction.JumpIfGreater, low, next, fail); break;
                case "SCMP_CMP_GE": asm.JumpIf(BpfInstruction.JumpIfGreaterOrEqual, low, next, fail); break;
                case "SCMP_CMP_LT": asm.JumpIf(BpfInstruction.JumpIfGreaterOrEqual, low, fail, next); break;
                case "SCMP_CMP_LE": asm.JumpIf(BpfInstruction.JumpIfGreater, low, fail, next); break;
                case "SCMP_CMP_MASKED_EQ":
                    asm.And(low);
                    asm.JumpIf(BpfInstruction.JumpIfEqual, (uint)c.ValueTwo, next, fail);
                    break;
            }
            return;
        }

        var pass = asm.NewLabel();
        asm.LoadWord(highOffset);
        switch (c.Op)
        {
            case "SCMP_CMP_EQ":
                asm.JumpIf(BpfInstruction.JumpIfEqual, high, next, fail);
                asm.LoadWord(lowOffset);
                asm.JumpIf(BpfInstruction.JumpIfEqual, low, next, fail);
                break;
            case "SCMP_CMP_NE":
                asm.JumpIf(BpfInstruction.JumpIfEqual, high, next, pass);
                asm.LoadWord(lowOffset);
                asm.JumpIf(BpfInstruction.JumpIfEqual, low, fail, next);
                break;
            case "SCMP_CMP_GT" or "SCMP_CMP_GE":
                asm.JumpIf(BpfInstruction.JumpIfGreater, high, pass, next);
                asm.JumpIf(BpfInstruction.JumpIfEqual, high, next, fail);
                asm.LoadWord(lowOffset);
                asm.JumpIf(c.Op == "SCMP_CMP_GT" ? BpfInstruction.JumpIfGreater : BpfInstruction.JumpIfGreaterOrEqual, low, next, fail);
                break;
            case "SCMP_CMP_LT" or "SCMP_CMP_LE":
                asm.JumpIf(BpfInstruction.JumpIfGreater, high, fail, next);
                asm.JumpIf(BpfInstruction.JumpIfEqual, high, next, pass);
                asm.LoadWord(lowOffset);
                asm.JumpIf(c.Op == "SCMP_CMP_LT" ? BpfInstruction.JumpIfGreaterOrEqual : BpfInstruction.JumpIfGreater, low, fail, next);
                break;
            case "SCMP_CMP_MASKED_EQ":
                asm.And((uint)(c.Value >> 32));
                asm.JumpIf(BpfInstruction.JumpIfEqual, (uint)(c.ValueTwo >> 32), next, fail);
                asm.LoadWord(lowOffset);
                asm.And(low);
                asm.JumpIf(BpfInstruction.JumpIfEqual, (uint)c.ValueTwo, next, fail);
                break;
        }
        asm.Mark(pass);
    }
}
