namespace WebEngine.Linux;

/// <summary>A failed system call: what was attempted, on which path, and the errno ("mount proc on /x/proc: EPERM").</summary>
public sealed class LinuxException : Exception
{
    public LinuxException(string operation, int errno)
        : base($"{operation}: {Errno.Name(errno)}")
    {
        Operation = operation;
        ErrorNumber = errno;
    }

    /// <summary>The operation with its operands, e.g. "mount proc on /x/proc".</summary>
    public string Operation { get; }

    public int ErrorNumber { get; }

    /// <summary>The exception for <paramref name="operation"/> with the errno of the P/Invoke that just returned -1.</summary>
    public static LinuxException FromLastError(string operation) =>
        new(operation, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
}
