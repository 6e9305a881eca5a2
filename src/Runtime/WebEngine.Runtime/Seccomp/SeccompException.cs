namespace WebEngine.Runtime.Seccomp;

/// <summary>A seccomp profile cannot be compiled or installed; the message names the value or the errno.</summary>
public sealed class SeccompException : Exception
{
    public SeccompException(string message) : base(message)
    {
    }

    public SeccompException(string message, int errno) : base($"{message}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Errno = errno;
    }

    /// <summary>The errno of the failed syscall, 0 when the profile itself is invalid.</summary>
    public int Errno { get; }
}
