namespace WebEngine.Shim;

/// <summary>Blocking reads and writes on raw descriptors, retrying EINTR and short writes.</summary>
internal static unsafe class FdIo
{
    /// <summary>Reads what is available (blocking until something is); 0 at end of file. A pty master's EIO is its end of file.</summary>
    public static int Read(int fd, Span<byte> buffer, string what)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Interop.read(fd, p, buffer.Length);
                if (n >= 0)
                    return (int)n;
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                    continue;
                if (errno == Interop.EIO)
                    return 0;
                throw new SystemCallException($"read {what}", Interop.ErrnoName(errno));
            }
        }
    }

    /// <summary>Writes everything; false when the reader is gone (EPIPE, ECONNRESET and the like).</summary>
    public static bool TryWriteAll(int fd, ReadOnlySpan<byte> data, bool socket)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = socket
                    ? Interop.send(fd, p + done, data.Length - done, Interop.MSG_NOSIGNAL)
                    : Interop.write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Interop.EINTR)
                        continue;
                    return false;
                }
                done += (int)n;
            }
            return true;
        }
    }

    /// <summary>Waits until <paramref name="fd"/> is readable; false on timeout.</summary>
    public static bool WaitReadable(int fd, int timeoutMs)
    {
        var pollFd = new Interop.PollFd { Fd = fd, Events = Interop.POLLIN };
        while (true)
        {
            var n = Interop.poll(&pollFd, 1, timeoutMs);
            if (n >= 0)
                return n > 0;
            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Interop.EINTR)
                throw SystemCallException.FromLastError("poll");
        }
    }

    /// <summary>Everything a pipe delivers until its writers are gone or <paramref name="timeoutMs"/> passes without data.</summary>
    public static byte[] ReadToEnd(int fd, int timeoutMs, string what)
    {
        var output = new MemoryStream();
        Span<byte> buffer = stackalloc byte[4096];
        while (WaitReadable(fd, timeoutMs))
        {
            var n = Read(fd, buffer, what);
            if (n == 0)
                break;
            output.Write(buffer[..n]);
        }
        return output.ToArray();
    }
}
