using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WebEngine.Oci;

namespace WebEngine.Runtime.Cgroups;

/// <summary>
/// cgroup2 has no devices controller: device access is decided by an eBPF program of type
/// BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup. This compiles the OCI device rules to such a
/// program with the v1 semantics (the last matching rule decides; with no match, the device is
/// allowed, as a v1 cgroup inherits "a *:* rwm" until a rule denies it) and attaches it.
/// </summary>
internal static partial class CgroupDeviceFilter
{
    // struct bpf_cgroup_dev_ctx { __u32 access_type /* access << 16 | type */; __u32 major; __u32 minor; }
    private const short AccessTypeOffset = 0;
    private const short MajorOffset = 4;
    private const short MinorOffset = 8;

    private const int DeviceBlock = 1;   // BPF_DEVCG_DEV_BLOCK
    private const int DeviceChar = 2;    // BPF_DEVCG_DEV_CHAR
    private const int AccessMknod = 1;   // BPF_DEVCG_ACC_MKNOD
    private const int AccessRead = 2;    // BPF_DEVCG_ACC_READ
    private const int AccessWrite = 4;   // BPF_DEVCG_ACC_WRITE

    /// <summary>struct bpf_insn: opcode, dst_reg | src_reg &lt;&lt; 4, offset, immediate.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct Instruction(byte Code, byte Registers, short Offset, int Immediate);

    private const byte LoadWord = 0x61;        // BPF_LDX | BPF_MEM | BPF_W
    private const byte Move32Register = 0xbc;  // BPF_ALU | BPF_MOV | BPF_X
    private const byte And32Immediate = 0x54;  // BPF_ALU | BPF_AND | BPF_K
    private const byte RightShift32 = 0x74;    // BPF_ALU | BPF_RSH | BPF_K
    private const byte Move64Immediate = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K
    private const byte JumpIfNotEqual = 0x55;  // BPF_JMP | BPF_JNE | BPF_K
    private const byte JumpIfEqual = 0x15;     // BPF_JMP | BPF_JEQ | BPF_K
    private const byte Exit = 0x95;            // BPF_JMP | BPF_EXIT

    /// <summary>Compiles the rules; registers: r2 type, r3 access, r4 major, r5 minor, r6 scratch.</summary>
    public static Instruction[] Compile(IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        var program = new List<Instruction>
        {
            new(LoadWord, Regs(2, 1), AccessTypeOffset, 0),
            new(Move32Register, Regs(3, 2), 0, 0),
            new(And32Immediate, Regs(2, 0), 0, 0xffff),
            new(RightShift32, Regs(3, 0), 0, 16),
            new(LoadWord, Regs(4, 1), MajorOffset, 0),
            new(LoadWord, Regs(5, 1), MinorOffset, 0),
        };
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var rule = rules[i];
            // Each check jumps to the end of this rule's block on mismatch; the offsets are patched below.
            var block = new List<Instruction>();
            var type = string.IsNullOrEmpty(rule.Type) ? "a" : rule.Type;
            if (type != "a")
                block.Add(new(JumpIfNotEqual, Regs(2, 0), 0, type switch
                {
                    "b" => DeviceBlock,
                    "c" => DeviceChar,
                    _ => throw new CgroupException($"linux.resources.devices: unknown device type \"{type}\" (expected a, b or c)"),
                }));
            if (rule.Major is { } major and >= 0)
                block.Add(new(JumpIfNotEqual, Regs(4, 0), 0, checked((int)major)));
            if (rule.Minor is { } minor and >= 0)
                block.Add(new(JumpIfNotEqual, Regs(5, 0), 0, checked((int)minor)));
            var access = Access(rule.Access);
            block.Add(new(Move32Register, Regs(6, 3), 0, 0));
            if (rule.Allow)
            {
                // An allow rule covers a request only if it grants every access asked for.
                block.Add(new(And32Immediate, Regs(6, 0), 0, ~access & 0x7));
                block.Add(new(JumpIfNotEqual, Regs(6, 0), 0, 0));
            }
            else
            {
                // A deny rule refuses a request that asks for any access it names.
                block.Add(new(And32Immediate, Regs(6, 0), 0, access));
                block.Add(new(JumpIfEqual, Regs(6, 0), 0, 0));
            }
            block.Add(new(Move64Immediate, Regs(0, 0), 0, rule.Allow ? 1 : 0));
            block.Add(new(Exit, 0, 0, 0));
            for (var j = 0; j < block.Count; j++)
            {
                if (block[j].Code is JumpIfNotEqual or JumpIfEqual)
                    block[j] = block[j] with { Offset = checked((short)(block.Count - j - 1)) };
            }
            program.AddRange(block);
        }
        program.Add(new(Move64Immediate, Regs(0, 0), 0, 1));
        program.Add(new(Exit, 0, 0, 0));
        return [.. program];
    }

    private static int Access(string? access)
    {
        if (string.IsNullOrEmpty(access))
            return AccessMknod | AccessRead | AccessWrite;
        var bits = 0;
        foreach (var c in access)
        {
            bits |= c switch
            {
                'm' => AccessMknod,
                'r' => AccessRead,
                'w' => AccessWrite,
                _ => throw new CgroupException($"linux.resources.devices: unknown access \"{access}\" (expected letters of rwm)"),
            };
        }
        return bits;
    }

    private static byte Regs(int destination, int source) => (byte)(destination | (source << 4));

    /// <summary>
    /// Loads the program and attaches it to the cgroup2 directory with BPF_F_ALLOW_MULTI (so that a
    /// nested container can attach its own below), then detaches the programs an earlier Apply
    /// attached: the new rules replace the old ones without a moment where no filter applies.
    /// </summary>
    public static unsafe void Attach(string directory, IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        var program = Compile(rules);
        using var programFd = Load(program, directory);
        var cgroupFd = OpenDirectory(directory, 0x10000 | 0x80000 /* O_DIRECTORY | O_CLOEXEC */);
        if (cgroupFd < 0)
            throw new CgroupException($"open {directory} to attach the device filter", Marshal.GetLastPInvokeError());
        using var cgroup = new SafeFileHandle(cgroupFd, ownsHandle: true);

        var previous = new uint[64];
        var query = new ProgramQueryAttr { TargetFd = (uint)cgroupFd, AttachType = AttachTypeCgroupDevice, ProgramCount = (uint)previous.Length };
        fixed (uint* ids = previous)
        {
            query.ProgramIds = (ulong)ids;
            if (Bpf(BpfProgQuery, &query, (uint)sizeof(ProgramQueryAttr)) < 0)
                throw new CgroupException($"bpf(BPF_PROG_QUERY) of the device filters of {directory}", Marshal.GetLastPInvokeError());
        }

        var attach = new ProgramAttachAttr
        {
            TargetFd = (uint)cgroupFd,
            AttachBpfFd = (uint)programFd.DangerousGetHandle(),
            AttachType = AttachTypeCgroupDevice,
            AttachFlags = AllowMulti,
        };
        if (Bpf(BpfProgAttach, &attach, (uint)sizeof(ProgramAttachAttr)) < 0)
            throw new CgroupException($"bpf(BPF_PROG_ATTACH) of the device filter to {directory}", Marshal.GetLastPInvokeError());

        foreach (var id in previous.Take((int)query.ProgramCount))
        {
            var byId = new ProgramGetFdByIdAttr { ProgramId = id };
            var oldFd = (int)Bpf(BpfProgGetFdById, &byId, (uint)sizeof(ProgramGetFdByIdAttr));
            if (oldFd < 0)
                throw new CgroupException($"bpf(BPF_PROG_GET_FD_BY_ID {id}) of an earlier device filter of {directory}", Marshal.GetLastPInvokeError());
            using var old = new SafeFileHandle(oldFd, ownsHandle: true);
            var detach = new ProgramAttachAttr { TargetFd = (uint)cgroupFd, AttachBpfFd = (uint)oldFd, AttachType = AttachTypeCgroupDevice };
            if (Bpf(BpfProgDetach, &detach, (uint)sizeof(ProgramAttachAttr)) < 0)
                throw new CgroupException($"bpf(BPF_PROG_DETACH) of an earlier device filter of {directory}", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>BPF_PROG_LOAD; the verifier's log goes into the error when the kernel refuses the program.</summary>
    private static unsafe SafeFileHandle Load(Instruction[] program, string directory)
    {
        var license = "Apache-2.0\0"u8;
        var log = new byte[64 * 1024];
        fixed (Instruction* instructions = program)
        fixed (byte* licensePointer = license)
        fixed (byte* logPointer = log)
        {
            var attr = new ProgramLoadAttr
            {
                ProgramType = 15, // BPF_PROG_TYPE_CGROUP_DEVICE
                InstructionCount = (uint)program.Length,
                Instructions = (ulong)instructions,
                License = (ulong)licensePointer,
                LogLevel = 1,
                LogSize = (uint)log.Length,
                LogBuffer = (ulong)logPointer,
                ExpectedAttachType = AttachTypeCgroupDevice,
            };
            var fd = (int)Bpf(BpfProgLoad, &attr, (uint)sizeof(ProgramLoadAttr));
            if (fd >= 0)
                return new SafeFileHandle(fd, ownsHandle: true);
            var errno = Marshal.GetLastPInvokeError();
            var verifier = System.Text.Encoding.UTF8.GetString(log).TrimEnd('\0').Trim();
            throw new CgroupException($"bpf(BPF_PROG_LOAD) of the device filter for {directory} ({program.Length} instructions{(verifier.Length > 0 ? ", verifier: " + verifier : "")})", errno);
        }
    }

    private const int BpfProgLoad = 5;
    private const int BpfProgAttach = 8;
    private const int BpfProgDetach = 9;
    private const int BpfProgGetFdById = 13;
    private const int BpfProgQuery = 16;
    private const uint AttachTypeCgroupDevice = 6; // BPF_CGROUP_DEVICE
    private const uint AllowMulti = 2;             // BPF_F_ALLOW_MULTI
    private const long SysBpf = 321;               // x86_64 __NR_bpf

    /// <summary>The BPF_PROG_LOAD part of union bpf_attr, up to expected_attach_type.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct ProgramLoadAttr
    {
        public uint ProgramType;
        public uint InstructionCount;
        public ulong Instructions;
        public ulong License;
        public uint LogLevel;
        public uint LogSize;
        public ulong LogBuffer;
        public uint KernelVersion;
        public uint ProgramFlags;
        public fixed byte ProgramName[16];
        public uint ProgramIfIndex;
        public uint ExpectedAttachType;
    }

    /// <summary>The BPF_PROG_ATTACH part of union bpf_attr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ProgramAttachAttr
    {
        public uint TargetFd;
        public uint AttachBpfFd;
        public uint AttachType;
        public uint AttachFlags;
        public uint ReplaceBpfFd;
    }

    /// <summary>The BPF_PROG_QUERY part of union bpf_attr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ProgramQueryAttr
    {
        public uint TargetFd;
        public uint AttachType;
        public uint QueryFlags;
        public uint AttachFlags;
        public ulong ProgramIds;
        public uint ProgramCount;
    }

    /// <summary>The BPF_PROG_GET_FD_BY_ID part of union bpf_attr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ProgramGetFdByIdAttr
    {
        public uint ProgramId;
        public uint NextId;
        public uint OpenFlags;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Bpf(long number, int command, void* attr, uint size);

    private static unsafe long Bpf(int command, void* attr, uint size) => Bpf(SysBpf, command, attr, size);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenDirectory(string path, int flags);
}
