using WebEngine.ShimProtocol;

namespace WebEngine.Shim;

/// <summary>
/// The shim's unix socket: one thread per connection reads request frames and answers each in order; an attach
/// (or an exec with attach) turns its connection into a raw stream (see PROTOCOL.md).
/// </summary>
internal sealed unsafe class ShimServer(ContainerShim shim, FileDescriptor listener, string socketPath)
{
    private static readonly System.Buffers.SearchValues<char> ExecIdCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    private readonly object _shutdownLock = new();

    /// <summary>Accepts connections until a shutdown request; returns then.</summary>
    public void Run()
    {
        while (true)
        {
            var fd = Interop.accept4(listener.Fd, null, null, Interop.SOCK_CLOEXEC);
            if (fd < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR || errno == Interop.EAGAIN || errno == 103 /* ECONNABORTED */)
                    continue;
                ShimLog.Error($"accept on {socketPath}: {Interop.ErrnoName(errno)}");
                Thread.Sleep(100);
                continue;
            }
            var connection = new FileDescriptor(fd);
            new Thread(() => Serve(connection)) { IsBackground = true, Name = "connection" }.Start();
        }
    }

    private void Serve(FileDescriptor connection)
    {
        using (connection)
        {
            var greeted = false;
            try
            {
                while (ReadRequest(connection.Fd) is { } request)
                {
                    Action? afterResponse = null;
                    ShimResponse response;
                    if (!greeted && request.Op != ShimOperations.Hello)
                        response = ShimResponse.Failure(ShimErrorKinds.InvalidArgument, "the first request on a connection must be hello");
                    else
                        response = Handle(request, connection.Fd, ref afterResponse);
                    greeted |= request.Op == ShimOperations.Hello && response.Ok;
                    if (!FdIo.TryWriteAll(connection.Fd, ShimJson.ResponseFrame(response), socket: true))
                        return;
                    if (afterResponse is not null)
                    {
                        afterResponse();
                        return;
                    }
                }
            }
            catch (Exception e) when (e is ShimProtocolException or SystemCallException)
            {
                ShimLog.Error($"connection: {e.Message}");
            }
        }
    }

    private ShimResponse Handle(ShimRequest request, int socket, ref Action? afterResponse)
    {
        try
        {
            switch (request.Op)
            {
                case ShimOperations.Hello:
                    return request.Version == ShimProtocolVersion.Current
                        ? new ShimResponse { Ok = true, Version = ShimProtocolVersion.Current, ShimPid = Environment.ProcessId, Id = shim.Id }
                        : ShimResponse.Failure(ShimErrorKinds.Unsupported, $"protocol version {request.Version} is not supported; this shim speaks {ShimProtocolVersion.Current}");
                case ShimOperations.State:
                    return WithProcess(shim.Process(request.ExecId).Snapshot());
                case ShimOperations.Start:
                    return WithProcess(shim.Start());
                case ShimOperations.Kill:
                    shim.Kill(request.ExecId, request.Signal ?? 15, request.All);
                    return ShimResponse.Success();
                case ShimOperations.Wait:
                    return WithProcess(shim.Process(request.ExecId).WaitStopped());
                case ShimOperations.Attach:
                {
                    var process = shim.Process(request.ExecId);
                    var client = process.Attach(socket, request.Stdout, request.Stderr);
                    afterResponse = () => Stream(process, client, socket, request.Stdin, request.StdinOnce);
                    return WithProcess(process.Snapshot());
                }
                case ShimOperations.CloseStdin:
                    shim.Process(request.ExecId).CloseStdin();
                    return ShimResponse.Success();
                case ShimOperations.Resize:
                    shim.Process(request.ExecId).Resize(request.Width, request.Height);
                    return ShimResponse.Success();
                case ShimOperations.Exec:
                    return Exec(request, socket, ref afterResponse);
                case ShimOperations.Pause or ShimOperations.Resume:
                    shim.Pause(request.Op == ShimOperations.Pause);
                    return WithProcess(shim.Init.Snapshot());
                case ShimOperations.Pids:
                    return new ShimResponse { Ok = true, Pids = shim.Pids() };
                case ShimOperations.Delete:
                    shim.Delete(request.Force);
                    return WithProcess(shim.Init.Snapshot());
                case ShimOperations.Shutdown:
                    if (shim.Init.Status != ProcessStatuses.Deleted)
                        return ShimResponse.Failure(ShimErrorKinds.Conflict, $"container {shim.Id} is {shim.Init.Status}: delete it before shutting the shim down");
                    afterResponse = Shutdown;
                    return ShimResponse.Success();
                default:
                    return ShimResponse.Failure(ShimErrorKinds.InvalidArgument, $"unknown operation {request.Op}");
            }
        }
        catch (ShimOperationException e)
        {
            return ShimResponse.Failure(e.Kind, e.Message);
        }
        catch (RuntimeCommandException e)
        {
            return ShimResponse.Failure(ShimErrorKinds.RuntimeFailed, e.Message);
        }
        catch (Exception e) when (e is SystemCallException or IOException or InvalidOperationException or ShimProtocolException)
        {
            return ShimResponse.Failure(ShimErrorKinds.InvalidArgument, $"{request.Op}: {e.Message}");
        }
    }

    private ShimResponse Exec(ShimRequest request, int socket, ref Action? afterResponse)
    {
        if (string.IsNullOrEmpty(request.ExecId) || request.Process is not { Kind: JsonKind.Object } process)
            return ShimResponse.Failure(ShimErrorKinds.InvalidArgument, "exec needs an execId and a process object");
        // The exec id names files in the state directory.
        if (request.ExecId.Length > 64 || request.ExecId[0] == '.' || request.ExecId.AsSpan().ContainsAnyExcept(ExecIdCharacters))
            return ShimResponse.Failure(ShimErrorKinds.InvalidArgument, $"exec id {request.ExecId} must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'");
        ShimProcess? execProcess = null;
        AttachedClient? client = null;
        var status = shim.StartExec(request.ExecId, process, request.Stdin, p =>
        {
            execProcess = p;
            if (request.Attach)
                client = p.Attach(socket, request.Stdout, request.Stderr);
        });
        if (client is not null)
            afterResponse = () => Stream(execProcess!, client, socket, request.Stdin, request.StdinOnce);
        return WithProcess(status);
    }

    /// <summary>
    /// The attach stream: output frames go out on the client's writer thread; what the client sends is the process's
    /// stdin. When the client stops sending it may still be reading (a half-close), so we wait until it hangs up or the stream ends.
    /// </summary>
    private static void Stream(ShimProcess process, AttachedClient client, int socket, bool stdin, bool stdinOnce)
    {
        client.Start();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = FdIo.Read(socket, buffer, "attach connection");
            }
            catch (SystemCallException)
            {
                n = 0;
            }
            if (n == 0)
                break;
            if (stdin)
                process.WriteStdin(buffer.AsSpan(0, n));
        }
        if (stdin && stdinOnce)
            process.CloseStdin();
        while (!client.Closed)
        {
            var pollFd = new Interop.PollFd { Fd = socket, Events = 0 };
            if (Interop.poll(&pollFd, 1, 1000) > 0 && (pollFd.Revents & (0x10 /* POLLHUP */ | 0x08 /* POLLERR */)) != 0)
                client.Drop();
        }
        client.Join();
    }

    private void Shutdown()
    {
        lock (_shutdownLock)
        {
            File.Delete(socketPath);
            shim.RemoveState();
            shim.Dispose();
            Environment.Exit(0);
        }
    }

    private static ShimResponse WithProcess(ProcessStatus status) => new() { Ok = true, Process = status };

    private static ShimRequest? ReadRequest(int socket)
    {
        Span<byte> header = stackalloc byte[ShimFrame.HeaderSize];
        if (!ReadExactly(socket, header, allowEnd: true))
            return null;
        var payload = new byte[ShimFrame.PayloadLength(header)];
        ReadExactly(socket, payload, allowEnd: false);
        try
        {
            return ShimJson.ReadRequest(payload);
        }
        catch (ShimProtocolException e)
        {
            throw new ShimProtocolException($"frame is not a valid ShimRequest: {e.Message}");
        }
    }

    private static bool ReadExactly(int socket, Span<byte> buffer, bool allowEnd)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = FdIo.Read(socket, buffer[read..], "shim connection");
            if (n == 0)
            {
                if (read == 0 && allowEnd)
                    return false;
                throw new ShimProtocolException("connection closed in the middle of a frame");
            }
            read += n;
        }
        return true;
    }
}
