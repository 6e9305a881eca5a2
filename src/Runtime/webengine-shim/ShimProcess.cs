using WebEngine.ShimProtocol;

namespace WebEngine.Shim;

/// <summary>
/// The container's process or one exec'd process: its status and exit code, its stdin, the threads that pump its
/// output to the log (container only) and to attached clients, and the clients themselves.
/// </summary>
internal sealed class ShimProcess : IDisposable
{
    /// <summary>After the process exits, how long its output may keep flowing (from a child that kept the pipe) before it counts as stopped.</summary>
    private const int OutputDrainTimeoutMs = 5000;

    /// <summary>The exit code of a process whose exit status was lost (see <see cref="DetectLostExit"/>).</summary>
    private const int LostExitCode = 255;

    private readonly object _lock = new();
    private readonly List<AttachedClient> _clients = [];
    private readonly JsonFileLogWriter? _log;
    private readonly ProcessStatus _status;
    private FileDescriptor? _stdin;
    private FileDescriptor? _terminal;
    private int _openOutputs;
    private int? _exitCode;
    private DateTimeOffset _exitedAt;

    public ShimProcess(string id, string? execId, bool terminal, JsonFileLogWriter? log)
    {
        _status = new ProcessStatus { Id = id, ExecId = execId, Terminal = terminal, Status = ProcessStatuses.Created };
        _log = log;
    }

    /// <summary>Called once when the process is stopped for good (the container's shim writes exit.json here).</summary>
    public Action<ProcessStatus>? Stopped { get; init; }

    public bool Terminal => _status.Terminal;

    public ProcessStatus Snapshot()
    {
        lock (_lock)
            return Copy();
    }

    public string Status
    {
        get
        {
            lock (_lock)
                return _status.Status;
        }
    }

    public int Pid
    {
        get
        {
            lock (_lock)
                return _status.Pid;
        }
    }

    /// <summary>The runtime created the process: remember its pid and stdio, start pumping, and watch for its exit.</summary>
    public void Created(int pid, FileDescriptor? stdin, FileDescriptor? stdout, FileDescriptor? stderr, FileDescriptor? terminal)
    {
        lock (_lock)
        {
            _status.Pid = pid;
            _stdin = stdin;
            _terminal = terminal;
        }
        if (terminal is not null)
            StartPump(terminal, "stdout", StreamFrame.Stdout, owned: false);
        if (stdout is not null)
            StartPump(stdout, "stdout", StreamFrame.Stdout, owned: true);
        if (stderr is not null)
            StartPump(stderr, "stderr", StreamFrame.Stderr, owned: true);
        Reaper.Instance!.Watch(pid, OnExit);
        DetectLostExit(pid);
    }

    public void SetRunning(DateTimeOffset startedAt)
    {
        lock (_lock)
        {
            _status.StartedAt ??= startedAt;
            if (_status.Status == ProcessStatuses.Created)
                _status.Status = ProcessStatuses.Running;
        }
    }

    public void SetPaused(bool paused)
    {
        lock (_lock)
        {
            if (_status.Status is ProcessStatuses.Running or ProcessStatuses.Paused)
                _status.Status = paused ? ProcessStatuses.Paused : ProcessStatuses.Running;
        }
    }

    public void SetDeleted()
    {
        lock (_lock)
            _status.Status = ProcessStatuses.Deleted;
    }

    /// <summary>The runtime could not create or start the process: it is stopped with Docker's exit code for the error.</summary>
    public void Fail(string error)
    {
        lock (_lock)
        {
            _status.Error = error;
            _status.ExitCode = ExitCodes.ForRuntimeError(error);
            _exitCode = _status.ExitCode;
            _exitedAt = DateTimeOffset.UtcNow;
            if (_status.Status != ProcessStatuses.Stopped)
                PublishStoppedLocked();
        }
    }

    /// <summary>Blocks until the process is stopped (exited and its output drained) and returns its final status.</summary>
    public ProcessStatus WaitStopped()
    {
        lock (_lock)
        {
            while (_status.Status is not (ProcessStatuses.Stopped or ProcessStatuses.Deleted))
                Monitor.Wait(_lock);
            return Copy();
        }
    }

    /// <summary>Adds an attach client; one that attaches after the end gets the exit frame at once.</summary>
    public AttachedClient Attach(int socket, bool stdout, bool stderr)
    {
        var client = new AttachedClient(socket, stdout, stderr);
        lock (_lock)
        {
            if (_status.Status is ProcessStatuses.Stopped or ProcessStatuses.Deleted)
                client.End(ExitPayload());
            else
                _clients.Add(client);
        }
        return client;
    }

    /// <summary>Writes to the process's stdin (the terminal's input for a terminal); false when stdin is closed.</summary>
    public bool WriteStdin(ReadOnlySpan<byte> data)
    {
        FileDescriptor? target;
        lock (_lock)
            target = _terminal ?? _stdin;
        if (target is null || target.IsClosed)
            return false;
        var added = false;
        try
        {
            target.DangerousAddRef(ref added);
            return FdIo.TryWriteAll(target.Fd, data, socket: false);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
                target.DangerousRelease();
        }
    }

    /// <summary>Closes stdin, so the process reads end of file; for a terminal, sends the end-of-file character.</summary>
    public void CloseStdin()
    {
        if (Terminal)
        {
            WriteStdin([4]);
            return;
        }
        FileDescriptor? stdin;
        lock (_lock)
        {
            stdin = _stdin;
            _stdin = null;
        }
        stdin?.Dispose();
    }

    public unsafe void Resize(ushort width, ushort height)
    {
        FileDescriptor? terminal;
        lock (_lock)
            terminal = _terminal;
        if (terminal is null)
            throw new InvalidOperationException("the process has no terminal");
        var size = new Interop.WinSize { Columns = width, Rows = height };
        if (Interop.ioctl(terminal.Fd, (nuint)Interop.TIOCSWINSZ, &size) < 0)
            throw SystemCallException.FromLastError("ioctl TIOCSWINSZ on the terminal");
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var client in _clients)
                client.Drop();
            _clients.Clear();
            _stdin?.Dispose();
            _terminal?.Dispose();
        }
    }

    private ProcessStatus Copy() => new()
    {
        Id = _status.Id, ExecId = _status.ExecId, Status = _status.Status, Pid = _status.Pid, ExitCode = _status.ExitCode,
        Terminal = _status.Terminal, StartedAt = _status.StartedAt, FinishedAt = _status.FinishedAt, Error = _status.Error,
    };

    private byte[] ExitPayload() => ShimJson.ProcessStatus(Copy());

    private void StartPump(FileDescriptor fd, string stream, byte kind, bool owned)
    {
        lock (_lock)
            _openOutputs++;
        new Thread(() => Pump(fd, stream, kind, owned)) { IsBackground = true, Name = $"pump-{stream}" }.Start();
    }

    private void Pump(FileDescriptor fd, string stream, byte kind, bool owned)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = FdIo.Read(fd.Fd, buffer, $"{_status.Id} {stream}");
                if (n == 0)
                    break;
                var data = buffer.AsSpan(0, n);
                WriteLog(stream, data);
                Broadcast(kind, data);
            }
        }
        catch (SystemCallException e)
        {
            ShimLog.Error(e.Message);
        }
        finally
        {
            _log?.EndOfStream(stream);
            if (owned)
                fd.Dispose();
            lock (_lock)
            {
                _openOutputs--;
                Monitor.PulseAll(_lock);
            }
        }
    }

    private void WriteLog(string stream, ReadOnlySpan<byte> data)
    {
        try
        {
            _log?.Write(stream, data);
        }
        catch (SystemCallException e)
        {
            // A full disk must not stop the container or its attached clients; the shim's own log says why lines are missing.
            ShimLog.Error(e.Message);
        }
    }

    private void Broadcast(byte kind, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            for (var i = _clients.Count - 1; i >= 0; i--)
            {
                var client = _clients[i];
                var wanted = kind == StreamFrame.Stdout ? client.WantsStdout : client.WantsStderr;
                if ((wanted && !client.Enqueue(kind, data)) || client.Closed)
                    _clients.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// A process that exited while the runtime was still running may have been reaped by the runtime (runc leaves it
    /// for the subreaper, a runtime built on a managed process API may not): then no exit ever reaches the shim, and
    /// a waiter would wait forever. Such a process is stopped with exit code 255 and an error that says why.
    /// </summary>
    private void DetectLostExit(int pid)
    {
        if (Interop.kill(pid, 0) == 0 || System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Interop.ESRCH)
            return;
        // The reaper may have collected it a moment ago and be about to report it.
        Thread.Sleep(500);
        lock (_lock)
        {
            if (_exitCode is not null)
                return;
            _exitCode = LostExitCode;
            _exitedAt = DateTimeOffset.UtcNow;
            _status.Error = $"process {pid} was reaped by someone else (the runtime?) before the shim could read its exit status";
        }
        ShimLog.Error(_status.Error);
        new Thread(FinishAfterExit) { IsBackground = true, Name = "finish" }.Start();
    }

    private void OnExit(int waitStatus)
    {
        lock (_lock)
        {
            if (_exitCode is null)
            {
                _exitCode = Reaper.ExitCodeOf(waitStatus);
                _exitedAt = DateTimeOffset.UtcNow;
            }
        }
        new Thread(FinishAfterExit) { IsBackground = true, Name = "finish" }.Start();
    }

    private void FinishAfterExit()
    {
        lock (_lock)
        {
            var deadline = Environment.TickCount64 + OutputDrainTimeoutMs;
            while (_openOutputs > 0 && Environment.TickCount64 < deadline)
                Monitor.Wait(_lock, (int)Math.Max(1, deadline - Environment.TickCount64));
            if (_status.Status is not (ProcessStatuses.Stopped or ProcessStatuses.Deleted))
                PublishStoppedLocked();
        }
    }

    private void PublishStoppedLocked()
    {
        _status.Status = ProcessStatuses.Stopped;
        _status.ExitCode = _exitCode;
        _status.FinishedAt = _exitedAt;
        // The process is gone: release its stdin now rather than when the shim shuts down.
        _stdin?.Dispose();
        _stdin = null;
        var payload = ExitPayload();
        foreach (var client in _clients)
            client.End(payload);
        _clients.Clear();
        Monitor.PulseAll(_lock);
        Stopped?.Invoke(Copy());
    }
}
