namespace WebEngine.Runtime.Cgroups;

/// <summary>A cgroup operation failed; the message names the operation, the file, the value and the errno.</summary>
public sealed class CgroupException : Exception
{
    public CgroupException(string message) : base(message)
    {
    }

    public CgroupException(string message, int errno) : base($"{message}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Errno = errno;
    }

    public CgroupException(string message, Exception inner) : base($"{message}: {inner.Message}", inner)
    {
    }

    /// <summary>The errno of the failed syscall, or 0.</summary>
    public int Errno { get; }
}
