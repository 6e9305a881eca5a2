using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Security;
using WebEngine.Engine.Shims;
using WebEngine.Oci;
using WebEngine.ShimProtocol;
using OciProcess = WebEngine.Oci.Process;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    private readonly ConcurrentDictionary<string, ExecInstance> _execs = new(StringComparer.Ordinal);

    /// <summary>docker exec (create): refused unless the container is running and not paused.</summary>
    public async Task<string> ExecCreateAsync(string idOrName, ExecConfig config, CancellationToken cancellationToken)
    {
        if (config.Cmd.Count == 0)
            throw new InvalidArgumentException("No exec command specified");
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            var status = ContainerStore.Status(record);
            if (status == ContainerStatus.Paused)
                throw new ConflictException($"container {record.Id} is paused, unpause the container before exec");
            if (status != ContainerStatus.Running || entry.Run is null)
                throw new ConflictException($"container {record.Id} is not running");
            ForgetFinishedExecs(DateTime.UtcNow - _options.ExecRetention);
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            _execs[id] = new ExecInstance(id, record.Id, config);
            await _store.PublishAsync(record, new ContainerEventSpec("exec_create: " + string.Join(' ', config.Cmd),
                new Dictionary<string, string> { ["execID"] = id }), cancellationToken);
            return id;
        }
    }

    /// <summary>
    /// docker exec (start): runs the process in the container with the container's environment, user, capabilities
    /// and security settings; returns its attach stream (null when detached). The exit code is in <see cref="ExecInspectAsync"/>.
    /// </summary>
    public async Task<ShimAttachStream?> ExecStartAsync(string execId, bool detach, CancellationToken cancellationToken)
    {
        var exec = GetExec(execId);
        var (entry, record, scope) = await LockAsync(exec.ContainerId, cancellationToken);
        using (scope)
        {
            if (ContainerStore.Status(record) != ContainerStatus.Running || entry.Run is not { } run)
                throw new ConflictException($"container {record.Id} is not running");
            if (!exec.TryStart())
                throw new ConflictException($"Error: Exec command {execId} is already running");
            var process = await ExecProcessAsync(record.Id, exec.Config, cancellationToken);
            var attach = detach ? null : new ShimAttachOptions(exec.Config.AttachStdin, exec.Config.AttachStdout, exec.Config.AttachStderr, StdinOnce: true);
            var (status, stream) = await run.Client.ExecAsync(execId, process, attach, cancellationToken);
            exec.Pid = status.Pid;
            await _store.PublishAsync(record, new ContainerEventSpec("exec_start: " + string.Join(' ', exec.Config.Cmd),
                new Dictionary<string, string> { ["execID"] = execId }), cancellationToken);
            RunInBackground(async () =>
            {
                var final = await run.Client.WaitAsync(execId, _shutdown.Token);
                exec.Finish(final.ExitCode ?? 126);
                await _store.PublishAsync(record, new ContainerEventSpec("exec_die", new Dictionary<string, string>
                {
                    ["execID"] = execId, ["exitCode"] = exec.ExitCode!.Value.ToString(CultureInfo.InvariantCulture),
                }), _shutdown.Token);
            }, $"exec {execId} in container {record.Id}");
            return stream;
        }
    }

    /// <summary>docker exec inspect: the exit code is final as soon as the shim has seen the process end.</summary>
    public async Task<ExecDetails> ExecInspectAsync(string execId, CancellationToken cancellationToken)
    {
        var exec = GetExec(execId);
        if (exec.Started && exec.ExitCode is null && _entries.TryGetValue(exec.ContainerId, out var entry) && entry.Run is { } run)
        {
            var status = await run.Client.GetStateAsync(execId, cancellationToken);
            if (status.Status == ProcessStatuses.Stopped)
                exec.Finish(status.ExitCode ?? 126);
        }
        return new ExecDetails(exec.Id, exec.ContainerId, exec.Started && exec.ExitCode is null, exec.ExitCode, exec.Pid, exec.Config,
            exec.Config.AttachStdin, exec.Config.AttachStdout, exec.Config.AttachStderr);
    }

    public async Task ExecResizeAsync(string execId, ushort height, ushort width, CancellationToken cancellationToken)
    {
        var exec = GetExec(execId);
        if (!_entries.TryGetValue(exec.ContainerId, out var entry) || entry.Run is not { } run)
            throw new ConflictException($"container {exec.ContainerId} is not running");
        await run.Client.ResizeAsync(width, height, execId, cancellationToken);
    }

    /// <summary>The execs the engine holds (inspectable): running ones and those that ended less than ExecRetention ago.</summary>
    internal IReadOnlyCollection<string> ExecIds => [.. _execs.Keys];

    /// <summary>Moby's exec GC: an exec that ended before <paramref name="endedBefore"/> is no longer inspectable.</summary>
    private void ForgetFinishedExecs(DateTime endedBefore)
    {
        foreach (var (id, exec) in _execs)
        {
            if (exec.FinishedUtc < endedBefore)
                _execs.TryRemove(id, out _);
        }
    }

    /// <summary>A removed container's execs go with it.</summary>
    private void ForgetExecsOf(string containerId)
    {
        foreach (var (id, exec) in _execs)
        {
            if (exec.ContainerId == containerId)
                _execs.TryRemove(id, out _);
        }
    }

    private ExecInstance GetExec(string execId) =>
        _execs.TryGetValue(execId, out var exec) ? exec : throw new NotFoundException($"No such exec instance: {execId}");

    /// <summary>The container's own process settings from its bundle, with the exec's command, environment, user and directory.</summary>
    private async Task<OciProcess> ExecProcessAsync(string containerId, ExecConfig config, CancellationToken cancellationToken)
    {
        var configPath = Path.Combine(_paths.Directory(containerId), BundleBuilder.ConfigFileName);
        await using var file = File.OpenRead(configPath);
        var spec = await JsonSerializer.DeserializeAsync(file, OciJsonContext.Default.RuntimeSpec, cancellationToken)
                   ?? throw new InvalidOperationException($"{configPath} is empty");
        var process = spec.Process ?? throw new InvalidOperationException($"{configPath} has no process");
        process.Args = [.. config.Cmd];
        process.Terminal = config.Tty;
        process.ConsoleSize = config.Tty && config.ConsoleSize is (> 0 and var height, > 0 and var width)
            ? new ConsoleSize { Height = height, Width = width }
            : null;
        process.Env = MergeEnv(process.Env ?? [], config.Env);
        if (!string.IsNullOrEmpty(config.WorkingDir))
            process.Cwd = config.WorkingDir;
        if (!string.IsNullOrEmpty(config.User))
        {
            var user = ContainerUser.Resolve(spec.Root!.Path, config.User, []);
            process.User = new User { Uid = user.Uid, Gid = user.Gid, AdditionalGids = [.. user.AdditionalGids] };
        }
        if (config.Privileged)
        {
            var all = CapabilitySet.Resolve([], [], privileged: true).ToList();
            process.Capabilities = new Capabilities { Bounding = all, Effective = all, Permitted = all };
        }
        return process;
    }

    private static List<string> MergeEnv(List<string> container, IReadOnlyList<string> exec)
    {
        static string Key(string entry) => entry.Split('=', 2)[0];
        var overridden = exec.Select(Key).ToHashSet(StringComparer.Ordinal);
        return [.. container.Where(e => !overridden.Contains(Key(e))), .. exec];
    }

    /// <summary>One exec: created, started once, finished with an exit code.</summary>
    private sealed class ExecInstance(string id, string containerId, ExecConfig config)
    {
        private readonly Lock _lock = new();
        private int _started;

        public string Id { get; } = id;
        public string ContainerId { get; } = containerId;
        public ExecConfig Config { get; } = config;
        public int Pid { get; set; }
        public int? ExitCode { get; private set; }
        public DateTime? FinishedUtc { get; private set; }
        public bool Started => _started != 0;

        public bool TryStart() => Interlocked.Exchange(ref _started, 1) == 0;

        public void Finish(int exitCode)
        {
            lock (_lock)
            {
                if (ExitCode is not null)
                    return;
                ExitCode = exitCode;
                FinishedUtc = DateTime.UtcNow;
            }
        }
    }
}
