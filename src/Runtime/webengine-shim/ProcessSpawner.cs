using System.Runtime.InteropServices;
using System.Text;

namespace WebEngine.Shim;

/// <summary>
/// Starts programs with posix_spawn: the child is forked and exec'd by libc, so no managed code ever runs in it,
/// it gets exactly the descriptors given (0, 1, 2 and <c>extraFds</c> from 3 on; everything else is closed), and
/// signal dispositions and mask are reset, so a container never inherits the ignored SIGPIPE of the .NET runtime.
/// </summary>
internal static unsafe class ProcessSpawner
{
    private const int SpawnStructSize = 512; // larger than glibc's posix_spawn_file_actions_t and posix_spawnattr_t
    private const int SigSetSize = 128;

    /// <summary>Spawns <paramref name="path"/> and returns its pid; <paramref name="stdio"/> holds the fds for 0, 1 and 2.</summary>
    public static int Spawn(string path, IReadOnlyList<string> args, int[] stdio, int[]? extraFds = null, bool newSession = false)
    {
        var fileActions = NativeMemory.AllocZeroed(SpawnStructSize);
        var attributes = NativeMemory.AllocZeroed(SpawnStructSize);
        var signals = NativeMemory.AllocZeroed(SigSetSize);
        var argv = ToNativeStrings(args);
        var envp = ToNativeStrings(CurrentEnvironment());
        try
        {
            Check(Interop.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            Check(Interop.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            // Each target is first dup'ed away from 0..2+extra, so that a source fd that is another slot's target is not clobbered.
            int[] targets = [.. stdio, .. extraFds ?? []];
            for (var i = 0; i < targets.Length; i++)
                Check(Interop.posix_spawn_file_actions_adddup2(fileActions, targets[i], 1000 + i), "posix_spawn_file_actions_adddup2");
            for (var i = 0; i < targets.Length; i++)
                Check(Interop.posix_spawn_file_actions_adddup2(fileActions, 1000 + i, i), "posix_spawn_file_actions_adddup2");
            Check(Interop.posix_spawn_file_actions_addclosefrom_np(fileActions, targets.Length), "posix_spawn_file_actions_addclosefrom_np");

            Interop.sigfillset(signals);
            Check(Interop.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Interop.sigemptyset(signals);
            Check(Interop.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            var flags = (short)(Interop.POSIX_SPAWN_SETSIGDEF | Interop.POSIX_SPAWN_SETSIGMASK | (newSession ? Interop.POSIX_SPAWN_SETSID : 0));
            Check(Interop.posix_spawnattr_setflags(attributes, flags), "posix_spawnattr_setflags");

            int pid;
            var error = Interop.posix_spawn(&pid, path, fileActions, attributes, argv, envp);
            if (error != 0)
                throw new SystemCallException($"posix_spawn {path}", Interop.ErrnoName(error));
            Reaper.Instance?.ChildStarted();
            return pid;
        }
        finally
        {
            Interop.posix_spawn_file_actions_destroy(fileActions);
            Interop.posix_spawnattr_destroy(attributes);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            FreeNativeStrings(argv);
            FreeNativeStrings(envp);
        }
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
            throw new SystemCallException(call, Interop.ErrnoName(result));
    }

    private static List<string> CurrentEnvironment()
    {
        List<string> environment = [];
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment.Add($"{entry.Key}={entry.Value}");
        return environment;
    }

    private static byte** ToNativeStrings(IReadOnlyList<string> list)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(list.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < list.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(list[i]);
            var native = (byte*)NativeMemory.AllocZeroed((nuint)bytes.Length + 1);
            bytes.CopyTo(new Span<byte>(native, bytes.Length));
            array[i] = native;
        }
        return array;
    }

    private static void FreeNativeStrings(byte** array)
    {
        for (var p = array; *p != null; p++)
            NativeMemory.Free(*p);
        NativeMemory.Free(array);
    }
}
