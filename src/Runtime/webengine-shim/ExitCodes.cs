namespace WebEngine.Shim;

/// <summary>Docker's exit codes for a process the runtime could not run (what `docker run` reports).</summary>
internal static class ExitCodes
{
    public const int NotFound = 127;
    public const int CannotExecute = 126;
    public const int RuntimeError = 128;

    public static int ForRuntimeError(string message)
    {
        if (message.Contains("executable file not found", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase))
            return NotFound;
        if (message.Contains("permission denied", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("exec format error", StringComparison.OrdinalIgnoreCase))
            return CannotExecute;
        return RuntimeError;
    }
}
