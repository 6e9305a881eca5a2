using WebEngine.Oci;
using WebEngine.Runtime.Seccomp;
using Xunit.Abstractions;

namespace WebEngine.Runtime.Tests.Seccomp;

/// <summary>Runs compiled filters in <see cref="BpfInterpreter"/> against chosen seccomp_data.</summary>
public sealed class SeccompCompilerTests(ITestOutputHelper output)
{
    private const uint Allow = 0x7fff0000;
    private const uint KillThread = 0;
    private const uint Errno = 0x00050000;
    private const uint AuditArchAarch64 = 0xC00000B7;

    private static int Nr(SeccompArchitecture arch, string name) =>
        SyscallTable.Lookup(arch, name) ?? throw new InvalidOperationException($"{name} unknown on {arch.Name}");

    private static LinuxSyscall Rule(string action, params string[] names) => new() { Names = [.. names], Action = action };

    private static LinuxSeccomp Profile(string defaultAction, params LinuxSyscall[] syscalls) => new()
    {
        DefaultAction = defaultAction,
        Architectures = ["SCMP_ARCH_X86_64"],
        Syscalls = [.. syscalls],
    };

    private static uint RunX64(SeccompProgram program, string name, params ulong[] args) =>
        BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, Nr(SeccompArchitecture.X86_64, name), args);

    [Fact]
    public void Errno_rule_returns_its_errno_and_other_syscalls_get_the_default()
    {
        var program = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW",
            new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 },
            Rule("SCMP_ACT_ERRNO", "uname")));

        Assert.Equal(Errno | 13, RunX64(program, "mkdir"));
        Assert.Equal(Errno | 13, RunX64(program, "mkdirat"));
        Assert.Equal(Errno | 1, RunX64(program, "uname")); // errnoRet absent: EPERM
        Assert.Equal(Allow, RunX64(program, "getpid"));
    }

    [Fact]
    public void Default_errno_uses_defaultErrnoRet()
    {
        var spec = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "getpid"));
        spec.DefaultErrnoRet = 38;
        var program = SeccompProgram.Compile(spec);

        Assert.Equal(Allow, RunX64(program, "getpid"));
        Assert.Equal(Errno | 38, RunX64(program, "mkdir"));
    }

    [Fact]
    public void Syscalls_newer_than_the_profile_get_ENOSYS_unless_the_default_allows()
    {
        var denying = SeccompProgram.Compile(Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "getpid", "mkdir")));
        var allowing = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid", "mkdir")));

        Assert.Equal(Allow, RunX64(denying, "mkdir"));
        Assert.Equal(Errno | 1, BpfInterpreter.Run(denying.Instructions, BpfInterpreter.X86_64, 50));  // older, not listed
        Assert.Equal(Errno | 38, BpfInterpreter.Run(denying.Instructions, BpfInterpreter.X86_64, 84)); // newer than mkdir (83)
        Assert.Equal(Errno | 38, BpfInterpreter.Run(denying.Instructions, BpfInterpreter.X86_64, 452));
        Assert.Equal(Allow, BpfInterpreter.Run(allowing.Instructions, BpfInterpreter.X86_64, 452));
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL", 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_THREAD", 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_PROCESS", 0x80000000u)]
    [InlineData("SCMP_ACT_TRAP", 0x00030000u)]
    [InlineData("SCMP_ACT_TRACE", 0x7ff00001u)]
    [InlineData("SCMP_ACT_LOG", 0x7ffc0000u)]
    [InlineData("SCMP_ACT_ALLOW", 0x7fff0000u)]
    public void Actions_encode_as_the_kernel_expects(string action, uint expected)
    {
        var program = SeccompProgram.Compile(Profile("SCMP_ACT_ERRNO", Rule(action, "getpid")));

        Assert.Equal(expected, RunX64(program, "getpid"));
    }

    [Fact]
    public void Foreign_architectures_and_x32_syscalls_are_killed_when_not_listed()
    {
        var program = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir")));

        Assert.Equal(Allow, RunX64(program, "getpid"));
        Assert.Equal(KillThread, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, Nr(SeccompArchitecture.X86, "getpid")));
        Assert.Equal(KillThread, BpfInterpreter.Run(program.Instructions, AuditArchAarch64, 172));
        Assert.Equal(KillThread, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, Nr(SeccompArchitecture.X32, "getpid")));
    }

    [Fact]
    public void Each_listed_architecture_uses_its_own_syscall_numbers()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        spec.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];
        var program = SeccompProgram.Compile(spec);

        Assert.Equal(Errno | 1, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, 83));
        Assert.Equal(Errno | 1, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, 39));
        Assert.Equal(Errno | 1, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, 0x40000000 + 83));
        // 83 is symlink on i386 and 39 is getpid on x86_64: the numbers must not leak across architectures.
        Assert.Equal(Allow, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, 83));
        Assert.Equal(Allow, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, 39));
        Assert.Equal(KillThread, BpfInterpreter.Run(program.Instructions, AuditArchAarch64, 34));
    }

    [Fact]
    public void X32_alone_kills_plain_x86_64_syscalls()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        spec.Architectures = ["SCMP_ARCH_X32"];
        var program = SeccompProgram.Compile(spec);

        Assert.Equal(Errno | 1, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, 0x40000000 + 83));
        Assert.Equal(Allow, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, 0x40000000 + 39));
        Assert.Equal(KillThread, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, 83));
    }

    [Fact]
    public void Architectures_without_a_syscall_table_are_accepted_but_their_tasks_get_the_bad_arch_action()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        spec.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"];
        var program = SeccompProgram.Compile(spec);

        Assert.Equal(Errno | 1, RunX64(program, "mkdir"));
        Assert.Equal(KillThread, BpfInterpreter.Run(program.Instructions, AuditArchAarch64, 34));
    }

    [Fact]
    public void No_architectures_means_the_native_one()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        spec.Architectures = null;
        var program = SeccompProgram.Compile(spec);

        Assert.Equal(Errno | 1, RunX64(program, "mkdir"));
        Assert.Equal(KillThread, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, 39));
    }

    private static readonly ulong[] Samples =
    [
        0, 1, 5, 6, 0x7fffffff, 0x80000000, 0xffffffff, 0x1_00000000, 0x1_00000005, 0x1_00000006,
        0x2_00000000, 0xffffffff_00000005, 0xffffffff_fffffffe, ulong.MaxValue,
    ];

    public static TheoryData<string> Operators => new()
    {
        "SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ",
    };

    private static bool Reference(string op, ulong arg, ulong value, ulong valueTwo) => op switch
    {
        "SCMP_CMP_EQ" => arg == value,
        "SCMP_CMP_NE" => arg != value,
        "SCMP_CMP_LT" => arg < value,
        "SCMP_CMP_LE" => arg <= value,
        "SCMP_CMP_GT" => arg > value,
        "SCMP_CMP_GE" => arg >= value,
        "SCMP_CMP_MASKED_EQ" => (arg & value) == valueTwo,
        _ => throw new ArgumentException(op),
    };

    /// <summary>Every operator against 64-bit values whose halves differ in every combination.</summary>
    [Theory]
    [MemberData(nameof(Operators))]
    public void Argument_operators_compare_both_32_bit_halves(string op)
    {
        foreach (var value in Samples)
        {
            var valueTwo = value & 0xffffffff_00000005;
            var program = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", new LinuxSyscall
            {
                Names = ["getpid"],
                Action = "SCMP_ACT_ERRNO",
                Args = [new LinuxSeccompArg { Index = 2, Op = op, Value = value, ValueTwo = valueTwo }],
            }));
            foreach (var arg in Samples)
            {
                var expected = Reference(op, arg, value, valueTwo) ? Errno | 1 : Allow;
                var actual = RunX64(program, "getpid", 0, 0, arg);
                Assert.True(expected == actual, $"{op} arg 0x{arg:x} value 0x{value:x} valueTwo 0x{valueTwo:x}: expected 0x{expected:x}, got 0x{actual:x}");
            }
        }
    }

    [Fact]
    public void On_32_bit_architectures_only_the_low_half_is_compared()
    {
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall
        {
            Names = ["getpid"],
            Action = "SCMP_ACT_ERRNO",
            Args = [new LinuxSeccompArg { Index = 0, Op = "SCMP_CMP_EQ", Value = 5 }],
        });
        spec.Architectures = ["SCMP_ARCH_X86"];
        var program = SeccompProgram.Compile(spec);

        Assert.Equal(Errno | 1, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, 20, 5));
        Assert.Equal(Allow, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, 20, 6));
    }

    [Fact]
    public void Conditions_of_one_rule_are_ANDed_and_rules_of_one_syscall_are_ORed()
    {
        var program = SeccompProgram.Compile(Profile("SCMP_ACT_ERRNO",
            new LinuxSyscall
            {
                Names = ["getpid"],
                Action = "SCMP_ACT_ALLOW",
                Args =
                [
                    new LinuxSeccompArg { Index = 0, Op = "SCMP_CMP_EQ", Value = 1 },
                    new LinuxSeccompArg { Index = 1, Op = "SCMP_CMP_EQ", Value = 2 },
                ],
            },
            new LinuxSyscall
            {
                Names = ["getpid"],
                Action = "SCMP_ACT_LOG",
                Args = [new LinuxSeccompArg { Index = 0, Op = "SCMP_CMP_EQ", Value = 7 }],
            },
            Rule("SCMP_ACT_ALLOW", "gettid")));

        Assert.Equal(Allow, RunX64(program, "getpid", 1, 2));
        Assert.Equal(Errno | 1, RunX64(program, "getpid", 1, 3));
        Assert.Equal(Errno | 1, RunX64(program, "getpid", 0, 2));
        Assert.Equal(0x7ffc0000u, RunX64(program, "getpid", 7, 0));
        Assert.Equal(Allow, RunX64(program, "gettid", 9, 9));
    }

    [Fact]
    public void Programs_longer_than_a_conditional_jump_route_far_jumps_through_trampolines()
    {
        // 150 conditional rules on one syscall make its body far longer than 255 instructions, so
        // skipping it (and the architecture dispatch around it) needs long jumps.
        var rules = Enumerable.Range(0, 150).Select(i => new LinuxSyscall
        {
            Names = ["getpid"],
            Action = "SCMP_ACT_ERRNO",
            ErrnoRet = (uint)(i + 1),
            Args = [new LinuxSeccompArg { Index = 0, Op = "SCMP_CMP_EQ", Value = (ulong)i + 0x1_00000000 }],
        }).Append(Rule("SCMP_ACT_ERRNO", "mkdir")).ToArray();
        var spec = Profile("SCMP_ACT_ALLOW", rules);
        spec.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"];
        var program = SeccompProgram.Compile(spec);

        Assert.True(program.Instructions.Count > 3 * 255, $"{program.Instructions.Count} instructions");
        Assert.True(HasTrampoline(program.Instructions), "no conditional jump goes through a trampoline");
        Assert.Equal(Errno | 1, RunX64(program, "getpid", 0x1_00000000));
        Assert.Equal(Errno | 150, RunX64(program, "getpid", 0x1_00000000 + 149));
        Assert.Equal(Allow, RunX64(program, "getpid", 149));
        Assert.Equal(Errno | 1, RunX64(program, "mkdir"));
        Assert.Equal(Allow, RunX64(program, "uname"));
        Assert.Equal(Errno | 150, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, 20, 149)); // 32-bit: low half only
        Assert.Equal(Errno | 1, BpfInterpreter.Run(program.Instructions, BpfInterpreter.I386, 39));
    }

    /// <summary>Whether some conditional jump lands on a `ja` that reaches further than 255 instructions from it.</summary>
    private static bool HasTrampoline(IReadOnlyList<BpfInstruction> program)
    {
        for (var pc = 0; pc < program.Count; pc++)
        {
            var insn = program[pc];
            if (insn.Code is not (BpfInstruction.JumpIfEqual or BpfInstruction.JumpIfGreater or BpfInstruction.JumpIfGreaterOrEqual))
                continue;
            foreach (var landing in (int[])[pc + 1 + insn.JumpTrue, pc + 1 + insn.JumpFalse])
            {
                if (program[landing].Code == BpfInstruction.JumpAlways && landing + 1 + program[landing].K - pc > 256)
                    return true;
            }
        }
        return false;
    }

    /// <summary>A profile the size of Docker's default one: every syscall listed, three architectures.</summary>
    internal static LinuxSeccomp DockerSizedProfile(params string[] denied)
    {
        var allowed = SyscallTable.Names(SeccompArchitecture.X86_64)
            .Concat(SyscallTable.Names(SeccompArchitecture.X86))
            .Distinct()
            .Where(n => !denied.Contains(n) && n != "personality")
            .Order(StringComparer.Ordinal)
            .ToList();
        List<LinuxSyscall> syscalls = [new LinuxSyscall { Names = allowed, Action = "SCMP_ACT_ALLOW" }];
        foreach (var persona in (ulong[])[0, 8, 0x20000, 0x20008, 0xffffffff])
        {
            syscalls.Add(new LinuxSyscall
            {
                Names = ["personality"],
                Action = "SCMP_ACT_ALLOW",
                Args = [new LinuxSeccompArg { Index = 0, Op = "SCMP_CMP_EQ", Value = persona }],
            });
        }
        return new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 1,
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            Syscalls = syscalls,
        };
    }

    [Fact]
    public void A_docker_sized_profile_compiles_and_dispatches_every_syscall()
    {
        var program = SeccompProgram.Compile(DockerSizedProfile("mkdir", "mkdirat"));

        output.WriteLine($"{program.Instructions.Count} BPF instructions, {program.Instructions.Count(i => i.Code == BpfInstruction.JumpAlways)} of them jumps");
        Assert.InRange(program.Instructions.Count, 700, 4096);
        foreach (var arch in (SeccompArchitecture[])[SeccompArchitecture.X86_64, SeccompArchitecture.X86, SeccompArchitecture.X32])
        {
            var auditArch = arch == SeccompArchitecture.X86 ? BpfInterpreter.I386 : BpfInterpreter.X86_64;
            foreach (var name in SyscallTable.Names(arch))
            {
                var expected = name is "mkdir" or "mkdirat" ? Errno | 1 : Allow;
                var args = name == "personality" ? new ulong[] { 8 } : [];
                Assert.True(expected == BpfInterpreter.Run(program.Instructions, auditArch, Nr(arch, name), args), $"{name} on {arch.Name}");
            }
        }
        Assert.Equal(Errno | 1, RunX64(program, "personality", 1));
        Assert.Equal(Errno | 38, BpfInterpreter.Run(program.Instructions, BpfInterpreter.X86_64, 1000)); // newer than any: ENOSYS
    }

    [Fact]
    public void Unknown_syscall_names_are_ignored()
    {
        var program = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "no_such_syscall", "mkdir")));

        Assert.Equal(Errno | 1, RunX64(program, "mkdir"));
    }

    [Theory]
    [InlineData("SCMP_ACT_EXPLODE", null, null, null, "SCMP_ACT_EXPLODE")]
    [InlineData("SCMP_ACT_ALLOW", "SCMP_CMP_ALMOST", null, null, "SCMP_CMP_ALMOST")]
    [InlineData("SCMP_ACT_ALLOW", null, "SCMP_ARCH_Z80", null, "SCMP_ARCH_Z80")]
    [InlineData("SCMP_ACT_ALLOW", null, null, "SECCOMP_FILTER_FLAG_MAGIC", "SECCOMP_FILTER_FLAG_MAGIC")]
    [InlineData("SCMP_ACT_NOTIFY", null, null, null, "SCMP_ACT_NOTIFY")]
    public void Invalid_values_are_errors_that_name_them(string action, string? op, string? arch, string? flag, string named)
    {
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall
        {
            Names = ["getpid"],
            Action = action,
            Args = op is null ? null : [new LinuxSeccompArg { Index = 0, Op = op }],
        });
        if (arch is not null)
            spec.Architectures = [arch];
        if (flag is not null)
            spec.Flags = [flag];

        var error = Assert.Throws<SeccompException>(() => SeccompProgram.Compile(spec));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Flags_become_seccomp_filter_flags()
    {
        var spec = Profile("SCMP_ACT_ALLOW");
        spec.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"];

        Assert.Equal(7u, SeccompProgram.Compile(spec).Flags);
    }

    [Fact]
    public void Argument_index_beyond_the_sixth_is_an_error()
    {
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall
        {
            Names = ["getpid"],
            Action = "SCMP_ACT_ERRNO",
            Args = [new LinuxSeccompArg { Index = 6, Op = "SCMP_CMP_EQ" }],
        });

        Assert.Contains("index 6", Assert.Throws<SeccompException>(() => SeccompProgram.Compile(spec)).Message);
    }
}
