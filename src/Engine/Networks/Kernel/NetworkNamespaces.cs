using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WebEngine.Engine.Networks.Kernel;

/// <summary>
/// Named network namespaces made and removed in-process, the way iproute2's `ip netns add/del` does it (so `ip netns`
/// still lists and deletes them): an empty file under /run/netns that the namespace is bind-mounted on, in a
/// directory that is a shared mount point so the binds reach mount namespaces made later. Joining a namespace is a
/// per-thread change, so each call does its namespace work on a thread of its own, which returns to the daemon's
/// namespace before it signals anything.
/// </summary>
internal static partial class NetworkNamespaces
{
    private const int CloneNewNet = 0x40000000;
    private const ulong MsBind = 0x1000;
    private const ulong MsRec = 0x4000;
    private const ulong MsShared = 0x100000;
    private const int MntDetach = 2;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;
    private const int OCloexec = 0x80000;
    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const ulong SiocGifFlags = 0x8913;
    private const ulong SiocSifFlags = 0x8914;
    private const short IffUp = 0x1;
    private const int Einval = 22;
    private const int Eexist = 17;
    private const int Enoent = 2;

    private static readonly Lock DirectoryLock = new();
    private static string? _sharedDirectory;

    /// <summary>
    /// Makes the namespace at <paramref name="path"/> with its loopback up; one that exists already (left by an
    /// interrupted start) only gets its loopback up.
    /// </summary>
    public static Task CreateAsync(string path) => OnOwnThreadAsync(() =>
    {
        EnsureSharedDirectory(Path.GetDirectoryName(path)!);
        if (!CreateFile(path))
        {
            if (TryJoin(path))
            {
                BringLoopbackUp(path);
                return;
            }
            // A file with no namespace on it (a create interrupted before its bind): made anew.
            Remove(path);
            if (!CreateFile(path))
                throw Error(Eexist, "create", path);
        }
        try
        {
            if (unshare(CloneNewNet) != 0)
                throw Error(Marshal.GetLastPInvokeError(), "unshare(CLONE_NEWNET) for", path);
            if (mount($"/proc/thread-self/ns/net", path, "none", MsBind, 0) != 0)
                throw Error(Marshal.GetLastPInvokeError(), "bind-mount the new network namespace on", path);
            BringLoopbackUp(path);
        }
        catch
        {
            Remove(path);
            throw;
        }
    }, path);

    /// <summary>Detaches the namespace from its file and removes the file; the namespace ends with its last process.</summary>
    public static void Remove(string path)
    {
        if (umount2(path, MntDetach) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Enoent)
                return;
            // EINVAL: the file is no mount point (a create that failed before its bind): the file still goes.
            if (errno != Einval)
                throw Error(errno, "umount", path);
        }
        if (unlink(path) != 0 && Marshal.GetLastPInvokeError() is var unlinkErrno && unlinkErrno != Enoent)
            throw Error(unlinkErrno, "unlink", path);
    }

    /// <summary>
    /// As iproute2: the directory of the namespace files is a shared mount point (bound on itself if it is no mount
    /// point yet), so a namespace mounted there later shows in every mount namespace that copied it.
    /// </summary>
    private static void EnsureSharedDirectory(string directory)
    {
        lock (DirectoryLock)
        {
            if (_sharedDirectory == directory)
                return;
            Directory.CreateDirectory(directory);
            if (mount("", directory, "none", MsShared | MsRec, 0) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Einval)
                    throw Error(errno, "make shared", directory);
                if (mount(directory, directory, "none", MsBind | MsRec, 0) != 0)
                    throw Error(Marshal.GetLastPInvokeError(), "bind-mount on itself", directory);
                if (mount("", directory, "none", MsShared | MsRec, 0) != 0)
                    throw Error(Marshal.GetLastPInvokeError(), "make shared", directory);
            }
            _sharedDirectory = directory;
        }
    }

    /// <summary>Creates the empty file a namespace is mounted on; false when it exists already.</summary>
    private static bool CreateFile(string path)
    {
        var fd = open(path, OCreat | OExcl | OCloexec, 0);
        if (fd >= 0)
        {
            close(fd);
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno == Eexist ? false : throw Error(errno, "create", path);
    }

    /// <summary>Moves the calling thread into the namespace mounted at <paramref name="path"/>; false when no namespace is mounted there.</summary>
    private static bool TryJoin(string path)
    {
        using var handle = File.OpenHandle(path);
        if (setns((int)handle.DangerousGetHandle(), CloneNewNet) == 0)
            return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == Einval ? false : throw Error(errno, "setns(CLONE_NEWNET) into", path);
    }

    /// <summary>ifconfig lo up, in the calling thread's network namespace.</summary>
    private static unsafe void BringLoopbackUp(string path)
    {
        var socketFd = socket(AfInet, SockDgram | SockCloexec, 0);
        if (socketFd < 0)
            throw Error(Marshal.GetLastPInvokeError(), "open a socket in", path);
        try
        {
            // struct ifreq: the interface name (16 bytes), then ifr_flags (a short) in a 24-byte union.
            var request = stackalloc byte[40];
            new Span<byte>(request, 40).Clear();
            "lo"u8.CopyTo(new Span<byte>(request, 16));
            if (ioctl(socketFd, SiocGifFlags, request) != 0)
                throw Error(Marshal.GetLastPInvokeError(), "SIOCGIFFLAGS lo in", path);
            *(short*)(request + 16) |= IffUp;
            if (ioctl(socketFd, SiocSifFlags, request) != 0)
                throw Error(Marshal.GetLastPInvokeError(), "SIOCSIFFLAGS lo up in", path);
        }
        finally
        {
            close(socketFd);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own and brings that thread back to the daemon's network
    /// namespace before it completes the task: a thread inherits the namespaces of the thread that creates it, and
    /// completing a task may start a thread-pool worker right there, which would then live in the container's namespace.
    /// </summary>
    private static Task OnOwnThreadAsync(Action work, string path)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Exception? failure = null;
            SafeFileHandle? home = null;
            try
            {
                home = File.OpenHandle("/proc/thread-self/ns/net");
                work();
            }
            catch (Exception e)
            {
                failure = e;
            }
            if (home is not null)
            {
                using (home)
                {
                    if (setns((int)home.DangerousGetHandle(), CloneNewNet) != 0)
                        Environment.FailFast($"setns back to the daemon's network namespace after {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                }
            }
            if (failure is null)
                done.SetResult();
            else
                done.SetException(failure);
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true, Name = "netns " + Path.GetFileName(path),
        };
        thread.Start();
        return done.Task;
    }

    private static NetworkKernelException Error(int errno, string operation, string path) =>
        new($"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unshare(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mount(string source, string target, string fileSystemType, ulong flags, nint data);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int umount2(string target, int flags);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags, uint mode);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int ioctl(int fd, ulong request, byte* argument);
}
