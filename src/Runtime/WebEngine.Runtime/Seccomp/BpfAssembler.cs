namespace WebEngine.Runtime.Seccomp;

/// <summary>
/// Builds a classic BPF program with forward jumps to labels. Conditional jumps in classic BPF
/// reach at most 255 instructions ahead; <see cref="Assemble"/> lays the program out and routes
/// any longer conditional jump through a `ja` trampoline (32-bit offset) placed right after it.
/// </summary>
internal sealed class BpfAssembler
{
    /// <summary>A jump target; <see cref="Next"/> means the instruction that follows.</summary>
    public readonly record struct Label(int Id)
    {
        public static readonly Label Next = new(-1);
    }

    private readonly record struct Op(ushort Code, uint K, Label True, Label False);

    private const int MaxShortJump = byte.MaxValue;
    private const int MaxInstructions = 4096; // BPF_MAXINSNS

    private readonly List<Op> _ops = [];
    private readonly List<int> _labelTargets = [];

    public Label NewLabel()
    {
        _labelTargets.Add(-1);
        return new Label(_labelTargets.Count - 1);
    }

    /// <summary>Makes <paramref name="label"/> point at the next instruction emitted.</summary>
    public void Mark(Label label)
    {
        if (_labelTargets[label.Id] != -1)
            throw new InvalidOperationException($"BPF label {label.Id} is marked twice");
        _labelTargets[label.Id] = _ops.Count;
    }

    public void LoadWord(uint offset) => _ops.Add(new Op(BpfInstruction.LoadWordAbsolute, offset, Label.Next, Label.Next));

    public void And(uint mask) => _ops.Add(new Op(BpfInstruction.AndConstant, mask, Label.Next, Label.Next));

    public void Return(uint value) => _ops.Add(new Op(BpfInstruction.ReturnConstant, value, Label.Next, Label.Next));

    public void Jump(Label target) => _ops.Add(new Op(BpfInstruction.JumpAlways, 0, target, Label.Next));

    /// <summary>A conditional jump (<see cref="BpfInstruction.JumpIfEqual"/>, ...Greater, ...GreaterOrEqual) against a constant.</summary>
    public void JumpIf(ushort condition, uint value, Label whenTrue, Label whenFalse) =>
        _ops.Add(new Op(condition, value, whenTrue, whenFalse));

    public BpfInstruction[] Assemble()
    {
        // Which sides of which conditional jumps need a trampoline. Adding a trampoline only
        // lengthens jumps, so the set only grows and the loop ends.
        var farTrue = new bool[_ops.Count];
        var farFalse = new bool[_ops.Count];
        int[] slots;
        while (true)
        {
            slots = Layout(farTrue, farFalse);
            var changed = false;
            for (var i = 0; i < _ops.Count; i++)
            {
                if (!IsConditional(_ops[i].Code))
                    continue;
                if (!farTrue[i] && Distance(slots, i, _ops[i].True) > MaxShortJump)
                    farTrue[i] = changed = true;
                if (!farFalse[i] && Distance(slots, i, _ops[i].False) > MaxShortJump)
                    farFalse[i] = changed = true;
            }
            if (!changed)
                break;
        }

        var length = slots[_ops.Count];
        if (length > MaxInstructions)
            throw new SeccompException($"seccomp: the profile compiles to {length} BPF instructions, more than the kernel's limit of {MaxInstructions}");

        var program = new BpfInstruction[length];
        for (var i = 0; i < _ops.Count; i++)
        {
            var op = _ops[i];
            var slot = slots[i];
            if (op.Code == BpfInstruction.JumpAlways)
            {
                program[slot] = new BpfInstruction(op.Code, 0, 0, (uint)Distance(slots, i, op.True));
            }
            else if (IsConditional(op.Code))
            {
                var trampoline = slot + 1;
                byte jt, jf;
                if (farTrue[i])
                {
                    jt = (byte)(trampoline - slot - 1);
                    program[trampoline] = new BpfInstruction(BpfInstruction.JumpAlways, 0, 0, (uint)(Target(slots, i, op.True) - trampoline - 1));
                    trampoline++;
                }
                else
                {
                    jt = (byte)Distance(slots, i, op.True);
                }
                if (farFalse[i])
                {
                    jf = (byte)(trampoline - slot - 1);
                    program[trampoline] = new BpfInstruction(BpfInstruction.JumpAlways, 0, 0, (uint)(Target(slots, i, op.False) - trampoline - 1));
                }
                else
                {
                    jf = (byte)Distance(slots, i, op.False);
                }
                program[slot] = new BpfInstruction(op.Code, jt, jf, op.K);
            }
            else
            {
                program[slot] = new BpfInstruction(op.Code, 0, 0, op.K);
            }
        }
        return program;
    }

    private static bool IsConditional(ushort code) =>
        code is BpfInstruction.JumpIfEqual or BpfInstruction.JumpIfGreater or BpfInstruction.JumpIfGreaterOrEqual;

    /// <summary>slots[i] is where op i starts; slots[Count] is the program length.</summary>
    private int[] Layout(bool[] farTrue, bool[] farFalse)
    {
        var slots = new int[_ops.Count + 1];
        for (var i = 0; i < _ops.Count; i++)
            slots[i + 1] = slots[i] + 1 + (farTrue[i] ? 1 : 0) + (farFalse[i] ? 1 : 0);
        return slots;
    }

    private int Target(int[] slots, int op, Label label)
    {
        if (label == Label.Next)
            return slots[op + 1];
        var target = _labelTargets[label.Id];
        if (target == -1)
            throw new InvalidOperationException($"BPF label {label.Id} is used but never marked");
        if (target <= op)
            throw new InvalidOperationException($"BPF label {label.Id} is a backward jump, which classic BPF cannot do");
        return slots[target];
    }

    /// <summary>The jump offset from op's own slot (offsets count from the following instruction).</summary>
    private int Distance(int[] slots, int op, Label label) => Target(slots, op, label) - slots[op] - 1;
}
