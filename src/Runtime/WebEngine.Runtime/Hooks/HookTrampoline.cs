using WebEngine.Linux;

namespace WebEngine.Runtime.Hooks;

/// <summary>
/// Runs a hook with its own argv[0]. .NET's process API always passes the program path as argv[0],
/// but hooks rely on theirs: dockerd's prestart hook is `/proc/PID/exe` with args[0]
/// "libnetwork-setkey", and dockerd picks its mode from argv[0]. So the runtime starts its own binary
/// with a private variable, and that copy execve()s the hook with the argv and env it was given.
/// </summary>
public static class HookTrampoline
{
    public const string EnvironmentVariable = "_WEBENGINE_HOOK_EXEC";

    /// <summary>In the trampoline process (args = path, argv...): replaces it with the hook. Null elsewhere.</summary>
    public static int? TryRun(string[] args)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) == null)
            return null;
        Environment.SetEnvironmentVariable(EnvironmentVariable, null);
        if (args.Length < 2)
        {
            Console.Error.WriteLine("webengine-runtime: hook trampoline needs a path and argv");
            return 127;
        }
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            env.Add($"{entry.Key}={entry.Value}");
        try
        {
            Sys.Execve(args[0], args[1..], env);
        }
        catch (LinuxException e)
        {
            Console.Error.WriteLine($"webengine-runtime: {e.Message}");
        }
        return 127;
    }

    /// <summary>The runtime binary to start as the trampoline, when the hook's argv[0] differs from its path and the binary is reachable.</summary>
    public static string? For(Oci.Hook hook)
    {
        if (hook.Args is not [var argv0, ..] || argv0 == hook.Path)
            return null;
        var self = Environment.ProcessPath;
        return self != null && File.Exists(self) ? self : null;
    }
}
