using WebEngine.ShimProtocol;

namespace WebEngine.Shim;

/// <summary>
/// One container as the shim sees it: creates it through the runtime at start-up, then carries out the protocol's
/// operations on the container's process and on exec'd processes. Knows nothing of sockets.
/// </summary>
internal sealed class ContainerShim : IDisposable
{
    private const int PipeSize = 1024 * 1024;

    private readonly ShimOptions _options;
    private readonly RuntimeCli _runtime;
    private readonly JsonFileLogWriter? _log;
    private readonly Dictionary<string, ShimProcess> _execs = [];
    private readonly object _lock = new();

    public ContainerShim(ShimOptions options)
    {
        _options = options;
        _runtime = new RuntimeCli(options.Runtime, options.RuntimeRoot);
        _log = options.LogPath is null ? null : new JsonFileLogWriter(options.LogPath, options.LogMaxSize, options.LogMaxFiles);
        Init = new ShimProcess(options.Id, null, ReadTerminal(Path.Combine(options.Bundle, "config.json")), _log) { Stopped = WriteExitRecord };
    }

    public string Id => _options.Id;

    /// <summary>The container's own process (its pid 1).</summary>
    public ShimProcess Init { get; }

    /// <summary>Runs <c>runtime create</c>; a failure leaves the container stopped with the runtime's error and exit code.</summary>
    public void Create()
    {
        var pidFile = Path.Combine(_options.StateDirectory, "init.pid");
        CreateProcess(Init, ["create", "--bundle", _options.Bundle, "--pid-file", pidFile], pidFile, _options.OpenStdin, "init");
    }

    public ProcessStatus Start()
    {
        if (Init.Status != ProcessStatuses.Created)
            throw new ShimOperationException(ShimErrorKinds.Conflict, $"container {Id} is {Init.Status}, not created");
        try
        {
            // Stamped before the runtime runs: the process may exit (and be stamped finished) before start returns.
            var startedAt = DateTimeOffset.UtcNow;
            _runtime.RunChecked("start", Id);
            Init.SetRunning(startedAt);
        }
        catch (RuntimeCommandException e)
        {
            Init.Fail(e.Message);
        }
        return Init.Snapshot();
    }

    public void Kill(string? execId, int signal, bool all)
    {
        if (execId is not null)
        {
            var exec = Exec(execId);
            if (exec.Status is ProcessStatuses.Running && Interop.kill(exec.Pid, signal) < 0)
                throw SystemCallException.FromLastError($"kill {exec.Pid} (exec {execId}) with signal {signal}");
            return;
        }
        if (Init.Status is ProcessStatuses.Stopped or ProcessStatuses.Deleted)
            throw new ShimOperationException(ShimErrorKinds.Conflict, $"container {Id} is {Init.Status}");
        _runtime.RunChecked(all ? ["kill", "--all", Id, signal.ToString()] : ["kill", Id, signal.ToString()]);
    }

    public void Pause(bool pause)
    {
        var expected = pause ? ProcessStatuses.Running : ProcessStatuses.Paused;
        if (Init.Status != expected)
            throw new ShimOperationException(ShimErrorKinds.Conflict, $"container {Id} is {Init.Status}, not {expected}");
        _runtime.RunChecked(pause ? "pause" : "resume", Id);
        Init.SetPaused(pause);
    }

    public int[] Pids()
    {
        var output = _runtime.RunChecked("ps", "--format", "json", Id);
        try
        {
            var pids = ShimJson.Parse(System.Text.Encoding.UTF8.GetBytes(output));
            if (pids.Kind == JsonKind.Null)
                return [];
            var items = pids.Items ?? throw new ShimProtocolException("not an array");
            var result = new int[items.Count];
            for (var i = 0; i < items.Count; i++)
                result[i] = items[i].Kind == JsonKind.Number ? (int)items[i].Number : throw new ShimProtocolException("not a pid");
            return result;
        }
        catch (ShimProtocolException e)
        {
            throw new RuntimeCommandException($"{_runtime.Path} ps --format json {Id} printed something else than a list of pids ({e.Message}): {output}");
        }
    }

    /// <summary>Runs <c>runtime exec --detach</c>; <paramref name="beforeStart"/> sees the process first, so an attach misses no output.</summary>
    public ProcessStatus StartExec(string execId, JsonNode process, bool openStdin, Action<ShimProcess>? beforeStart)
    {
        if (Init.Status is not (ProcessStatuses.Running or ProcessStatuses.Paused))
            throw new ShimOperationException(ShimErrorKinds.Conflict, $"container {Id} is {Init.Status}, not running");
        var terminal = process.Bool("terminal");
        var exec = new ShimProcess(Id, execId, terminal, log: null);
        lock (_lock)
        {
            if (!_execs.TryAdd(execId, exec))
                throw new ShimOperationException(ShimErrorKinds.Conflict, $"exec {execId} already exists in {Id}");
        }
        beforeStart?.Invoke(exec);
        var processFile = Path.Combine(_options.StateDirectory, $"exec-{execId}.json");
        File.WriteAllBytes(processFile, process.Raw.ToArray());
        var pidFile = Path.Combine(_options.StateDirectory, $"exec-{execId}.pid");
        // Stamped before the runtime runs: the process may exit (and be stamped finished) before exec returns.
        var startedAt = DateTimeOffset.UtcNow;
        CreateProcess(exec, ["exec", "--process", processFile, "--detach", "--pid-file", pidFile], pidFile, openStdin, $"exec-{execId}");
        File.Delete(processFile);
        exec.SetRunning(startedAt);
        return exec.Snapshot();
    }

    public ShimProcess Process(string? execId) => execId is null ? Init : Exec(execId);

    /// <summary>Removes the container from the runtime; a running one only with <paramref name="force"/>.</summary>
    public void Delete(bool force)
    {
        var status = Init.Status;
        if (status == ProcessStatuses.Deleted)
            return;
        if (status != ProcessStatuses.Stopped && !force)
            throw new ShimOperationException(ShimErrorKinds.Conflict, $"container {Id} is {status}: stop it first or force the delete");
        try
        {
            _runtime.RunChecked(force ? ["delete", "--force", Id] : ["delete", Id]);
        }
        catch (RuntimeCommandException) when (Init.Status == ProcessStatuses.Stopped && Init.Snapshot().Error is not null)
        {
            // The runtime never created it (create failed): there is nothing to delete.
        }
        if (force)
            Init.WaitStopped();
        Init.SetDeleted();
    }

    /// <summary>Removes the files the shim made in its state directory (the log stays: it belongs to the container).</summary>
    public void RemoveState()
    {
        foreach (var name in new[] { ExitRecord.FileName, "init.pid", "shim.pid" })
            File.Delete(Path.Combine(_options.StateDirectory, name));
        foreach (var file in Directory.EnumerateFiles(_options.StateDirectory, "exec-*.pid"))
            File.Delete(file);
    }

    public void Dispose()
    {
        Init.Dispose();
        lock (_lock)
        {
            foreach (var exec in _execs.Values)
                exec.Dispose();
        }
        _log?.Dispose();
    }

    private ShimProcess Exec(string execId)
    {
        lock (_lock)
            return _execs.TryGetValue(execId, out var exec) ? exec : throw new ShimOperationException(ShimErrorKinds.NotFound, $"no exec {execId} in {Id}");
    }

    /// <summary>
    /// Runs runtime create or exec with stdio the shim owns: pipes, or a terminal received on a console socket.
    /// With pipes, the runtime's own error message lands in the stderr pipe; it is read from there when the runtime fails.
    /// </summary>
    private void CreateProcess(ShimProcess process, List<string> args, string pidFile, bool openStdin, string name)
    {
        var (stdinRead, stdinWrite) = openStdin && !process.Terminal ? FileDescriptor.Pipe() : (FileDescriptor.OpenDevNull(Interop.O_RDONLY), null);
        using var devNull = FileDescriptor.OpenDevNull(Interop.O_WRONLY);
        var (outRead, outWrite) = process.Terminal ? (null, null) : FileDescriptor.Pipe(PipeSize);
        var (errRead, errWrite) = FileDescriptor.Pipe(PipeSize);
        using var console = process.Terminal ? new ConsoleSocket() : null;
        if (console is not null)
            args.AddRange(["--console-socket", console.Path]);
        args.Add(Id);
        int code;
        using (stdinRead)
        using (outWrite)
        using (errWrite)
            code = _runtime.Run(args, process.Terminal ? devNull.Fd : stdinRead.Fd, outWrite?.Fd ?? devNull.Fd, errWrite.Fd);
        if (code != 0)
        {
            var message = System.Text.Encoding.UTF8.GetString(FdIo.ReadToEnd(errRead.Fd, 1000, "runtime stderr"));
            stdinWrite?.Dispose();
            outRead?.Dispose();
            errRead.Dispose();
            process.Fail(_runtime.Describe(args, code, message));
            return;
        }
        try
        {
            var terminal = console?.ReceiveMaster();
            var pid = int.Parse(File.ReadAllText(pidFile).Trim());
            if (terminal is not null)
                errRead.Dispose();
            process.Created(pid, stdinWrite, outRead, terminal is null ? errRead : null, terminal);
        }
        catch (Exception e) when (e is SystemCallException or IOException or FormatException)
        {
            stdinWrite?.Dispose();
            outRead?.Dispose();
            errRead.Dispose();
            process.Fail($"{name}: {e.Message}");
        }
    }

    private void WriteExitRecord(ProcessStatus status)
    {
        var record = new ExitRecord
        {
            Id = Id, Pid = status.Pid, ExitCode = status.ExitCode ?? 0, StartedAt = status.StartedAt,
            FinishedAt = status.FinishedAt ?? DateTimeOffset.UtcNow, Error = status.Error,
        };
        var path = Path.Combine(_options.StateDirectory, ExitRecord.FileName);
        try
        {
            // Written whole and renamed, so a reader never sees half a record.
            File.WriteAllBytes(path + ".tmp", ShimJson.ExitRecord(record));
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (IOException e)
        {
            ShimLog.Error($"write {path}: {e.Message}");
        }
    }

    private static bool ReadTerminal(string configPath)
    {
        try
        {
            return ShimJson.Parse(File.ReadAllBytes(configPath)).Property("process")?.Bool("terminal") ?? false;
        }
        catch (Exception e) when (e is IOException or ShimProtocolException or UnauthorizedAccessException)
        {
            throw new UsageException($"read {configPath}: {e.Message}");
        }
    }
}

/// <summary>A protocol operation cannot be carried out; <see cref="Kind"/> is one of <see cref="ShimErrorKinds"/>.</summary>
internal sealed class ShimOperationException(string kind, string message) : Exception(message)
{
    public string Kind => kind;
}
