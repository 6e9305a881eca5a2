using System.Collections;
using System.Runtime.InteropServices;
using WebEngine.Linux;
using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Init;

/// <summary>
/// Starts a program as our child with clone3 and execve, already in a container's cgroup (see
/// <see cref="CgroupPlacement"/>): webengine_spawn_stage in native/stage_spawn.c, linked into webengine-runtime.
/// Only that binary calls it; its tests run it.
/// </summary>
internal static unsafe partial class StageSpawn
{
    private const int StepExec = -1;
    private const int StepClone = -2;

    [LibraryImport("webengine-runtime-native", EntryPoint = "webengine_spawn_stage")]
    private static partial int SpawnNative(byte* path, byte** argv, byte** envp, int cgroupFd, int* tasksFds, int tasksCount,
        int* failedStep, int* failedErrno);

    /// <summary>
    /// Starts <paramref name="path"/> with <paramref name="args"/> (after argv[0]) and this process's environment
    /// with <paramref name="environment"/> on top, and returns its pid once it has exec'd, and whether it was cloned
    /// into the placement's cgroup2 directory: when the kernel refused that (see <see cref="CgroupPlacement.MoveByPid"/>),
    /// it is started without, and the caller moves it.
    /// </summary>
    public static (int Pid, bool ClonedIntoCgroup) Start(string path, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, CgroupPlacement? placement)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        foreach (var (name, value) in environment)
            variables[name] = value;

        var strings = new List<nint>();
        try
        {
            nint Utf8(string value)
            {
                var pointer = Marshal.StringToCoTaskMemUTF8(value);
                strings.Add(pointer);
                return pointer;
            }
            var pathPointer = Utf8(path);
            var argv = new nint[args.Count + 2];
            argv[0] = Utf8(path);
            for (var i = 0; i < args.Count; i++)
                argv[i + 1] = Utf8(args[i]);
            var envp = new nint[variables.Count + 1];
            var n = 0;
            foreach (var (name, value) in variables)
                envp[n++] = Utf8($"{name}={value}");

            var tasksFds = placement?.TasksFds ?? [];
            var cgroupFd = placement?.CloneIntoFd ?? -1;
            fixed (nint* argvPointer = argv)
            fixed (nint* envpPointer = envp)
            fixed (int* tasksPointer = tasksFds)
            {
                int step, errno;
                var pid = SpawnNative((byte*)pathPointer, (byte**)argvPointer, (byte**)envpPointer, cgroupFd, tasksPointer, tasksFds.Length, &step, &errno);
                if (pid > 0)
                    return (pid, cgroupFd >= 0);
                if (step == StepClone && cgroupFd >= 0)
                {
                    pid = SpawnNative((byte*)pathPointer, (byte**)argvPointer, (byte**)envpPointer, -1, tasksPointer, tasksFds.Length, &step, &errno);
                    if (pid > 0)
                        return (pid, false);
                }
                throw step switch
                {
                    >= 0 => new CgroupException($"write \"0\" to {placement!.TasksFiles[step]}", errno),
                    StepExec => new LinuxException($"execve {path}", errno),
                    StepClone => new LinuxException("clone3", errno),
                    _ => new LinuxException("pipe2", errno),
                };
            }
        }
        finally
        {
            foreach (var pointer in strings)
                Marshal.FreeCoTaskMem(pointer);
        }
    }
}
