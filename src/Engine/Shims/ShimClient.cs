using System.Net.Sockets;
using System.Text.Json;
using WebEngine.Oci;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Shims;

/// <summary>
/// The engine's client for one container's shim. Requests share one control connection, opened on first use and
/// re-opened when it dies (a request that was cut off is retried once if repeating it is harmless); wait, attach
/// and exec-with-attach get connections of their own. A client created after a daemon restart sees the same state,
/// exit code and output as the one before.
/// </summary>
public sealed class ShimClient : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _connectTimeout;
    private ShimConnection? _control;

    /// <param name="connectTimeout">How long to keep retrying to connect while the socket is missing or refuses (default 5 s).</param>
    public ShimClient(string socketPath, TimeSpan? connectTimeout = null)
    {
        SocketPath = socketPath;
        _connectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5);
    }

    public string SocketPath { get; }

    /// <summary>The shim's pid, known after the first request.</summary>
    public int? ShimPid { get; private set; }

    public async Task<ProcessStatus> GetStateAsync(string? execId = null, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new ShimRequest { Op = ShimOperations.State, ExecId = execId }, idempotent: true, cancellationToken)).Process!;

    public async Task<ProcessStatus> StartAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync(new ShimRequest { Op = ShimOperations.Start }, idempotent: false, cancellationToken)).Process!;

    /// <summary>Signals the container (all its processes with <paramref name="all"/>) or one exec'd process.</summary>
    public Task KillAsync(int signal, bool all = false, string? execId = null, CancellationToken cancellationToken = default) =>
        RequestAsync(new ShimRequest { Op = ShimOperations.Kill, Signal = signal, All = all, ExecId = execId }, idempotent: false, cancellationToken);

    /// <summary>Waits until the process has stopped and its output is logged; survives a shim connection that breaks meanwhile.</summary>
    public async Task<ProcessStatus> WaitAsync(string? execId = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await using var connection = await ConnectAsync(cancellationToken);
            try
            {
                var response = await connection.RequestAsync(new ShimRequest { Op = ShimOperations.Wait, ExecId = execId }, cancellationToken);
                return Check(response, ShimOperations.Wait).Process!;
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // The connection broke while waiting: connect again and keep waiting (ConnectAsync fails if the shim is gone).
            }
        }
    }

    /// <summary>Attaches to the container's process (or an exec'd one): live output, and stdin if asked for.</summary>
    public async Task<ShimAttachStream> AttachAsync(ShimAttachOptions options, string? execId = null, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(cancellationToken);
        try
        {
            var response = await connection.RequestAsync(new ShimRequest
            {
                Op = ShimOperations.Attach, ExecId = execId, Stdin = options.Stdin, Stdout = options.Stdout, Stderr = options.Stderr,
                StdinOnce = options.StdinOnce,
            }, cancellationToken);
            return new ShimAttachStream(connection, Check(response, ShimOperations.Attach).Process!);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs a new process in the container. With <paramref name="attach"/>, its output comes on the returned stream
    /// from the first byte; without, its output is discarded. The exit code comes from <see cref="WaitAsync"/> or the stream.
    /// </summary>
    public async Task<(ProcessStatus Status, ShimAttachStream? Stream)> ExecAsync(string execId, Process process, ShimAttachOptions? attach = null,
        CancellationToken cancellationToken = default)
    {
        var request = new ShimRequest
        {
            Op = ShimOperations.Exec, ExecId = execId, Process = JsonSerializer.SerializeToElement(process, OciJsonContext.Default.Process),
            Attach = attach is not null, Stdin = attach?.Stdin ?? false, Stdout = attach?.Stdout ?? false, Stderr = attach?.Stderr ?? false,
            StdinOnce = attach?.StdinOnce ?? false,
        };
        if (attach is null)
            return ((await RequestAsync(request, idempotent: false, cancellationToken)).Process!, null);
        var connection = await ConnectAsync(cancellationToken);
        try
        {
            var status = Check(await connection.RequestAsync(request, cancellationToken), ShimOperations.Exec).Process!;
            return (status, new ShimAttachStream(connection, status));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task CloseStdinAsync(string? execId = null, CancellationToken cancellationToken = default) =>
        RequestAsync(new ShimRequest { Op = ShimOperations.CloseStdin, ExecId = execId }, idempotent: true, cancellationToken);

    public Task ResizeAsync(ushort width, ushort height, string? execId = null, CancellationToken cancellationToken = default) =>
        RequestAsync(new ShimRequest { Op = ShimOperations.Resize, Width = width, Height = height, ExecId = execId }, idempotent: true, cancellationToken);

    public Task PauseAsync(CancellationToken cancellationToken = default) =>
        RequestAsync(new ShimRequest { Op = ShimOperations.Pause }, idempotent: false, cancellationToken);

    public Task ResumeAsync(CancellationToken cancellationToken = default) =>
        RequestAsync(new ShimRequest { Op = ShimOperations.Resume }, idempotent: false, cancellationToken);

    /// <summary>Every process of the container, as host pids.</summary>
    public async Task<int[]> GetPidsAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync(new ShimRequest { Op = ShimOperations.Pids }, idempotent: true, cancellationToken)).Pids ?? [];

    /// <summary>Deletes the container from the runtime (a running one only with <paramref name="force"/>); the shim stays to report its status.</summary>
    public async Task<ProcessStatus> DeleteAsync(bool force = false, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new ShimRequest { Op = ShimOperations.Delete, Force = force }, idempotent: true, cancellationToken)).Process!;

    /// <summary>Makes the shim exit and remove its socket and state files; only after <see cref="DeleteAsync"/>.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        await RequestAsync(new ShimRequest { Op = ShimOperations.Shutdown }, idempotent: false, cancellationToken);
        await DropControlAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DropControlAsync();
        _gate.Dispose();
    }

    private async Task<ShimResponse> RequestAsync(ShimRequest request, bool idempotent, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                _control ??= await ConnectAsync(cancellationToken);
                try
                {
                    return Check(await _control.RequestAsync(request, cancellationToken), request.Op);
                }
                catch (Exception e) when (e is IOException or SocketException or ShimProtocolException)
                {
                    await _control.DisposeAsync();
                    _control = null;
                    if (!idempotent || attempt > 0)
                        throw new UnavailableException($"shim {SocketPath}: {request.Op} failed: {e.Message}", e);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ShimConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _connectTimeout;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            try
            {
                var connection = await ShimConnection.OpenAsync(SocketPath, cancellationToken);
                ShimPid = connection.Hello?.ShimPid;
                return connection;
            }
            catch (Exception e) when (e is SocketException or IOException or ShimProtocolException)
            {
                if (DateTime.UtcNow + delay > deadline)
                    throw new UnavailableException($"shim {SocketPath} is unreachable: {e.Message}", e);
            }
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    private async Task DropControlAsync()
    {
        if (_control is not null)
            await _control.DisposeAsync();
        _control = null;
    }

    private ShimResponse Check(ShimResponse response, string op)
    {
        if (response.Ok)
            return response;
        var message = $"shim {SocketPath}: {op}: {response.Error}";
        throw response.ErrorKind switch
        {
            ShimErrorKinds.NotFound => new NotFoundException(message),
            ShimErrorKinds.Conflict => new ConflictException(message),
            ShimErrorKinds.InvalidArgument => new InvalidArgumentException(message),
            _ => new ShimRuntimeException(message),
        };
    }
}
