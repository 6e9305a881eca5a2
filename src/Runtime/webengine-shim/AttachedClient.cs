using WebEngine.ShimProtocol;

namespace WebEngine.Shim;

/// <summary>
/// One attach connection's output side: frames are queued by the output pumps (which never block on it) and sent
/// by this client's own thread. A client that falls more than <see cref="MaxQueuedBytes"/> behind is detached, so
/// a slow or stuck reader can never stall the container or the other clients.
/// </summary>
internal sealed class AttachedClient
{
    public const int MaxQueuedBytes = 4 * 1024 * 1024;

    private readonly object _lock = new();
    private readonly Queue<byte[]> _queue = new();
    private readonly int _socket;
    private long _queuedBytes;
    private bool _ending;
    private Thread? _writer;

    public AttachedClient(int socket, bool stdout, bool stderr)
    {
        _socket = socket;
        WantsStdout = stdout;
        WantsStderr = stderr;
    }

    public bool WantsStdout { get; }
    public bool WantsStderr { get; }

    /// <summary>True once the client was dropped, its connection failed, or its stream ended.</summary>
    public bool Closed { get; private set; }

    /// <summary>Starts sending; frames queued before this (the attach response goes first) wait until then.</summary>
    public void Start()
    {
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "attach-writer" };
        _writer.Start();
    }

    /// <summary>Queues a stdout/stderr frame; never blocks. Returns false when the client is gone.</summary>
    public bool Enqueue(byte kind, ReadOnlySpan<byte> data)
    {
        var frame = new byte[StreamFrame.HeaderSize + data.Length];
        StreamFrame.WriteHeader(frame, kind, data.Length);
        data.CopyTo(frame.AsSpan(StreamFrame.HeaderSize));
        lock (_lock)
        {
            if (Closed || _ending)
                return !Closed;
            if (_queuedBytes + frame.Length > MaxQueuedBytes)
            {
                DropLocked();
                return false;
            }
            _queue.Enqueue(frame);
            _queuedBytes += frame.Length;
            Monitor.Pulse(_lock);
            return true;
        }
    }

    /// <summary>Ends the stream with the process's final status; the connection closes once everything is sent.</summary>
    public void End(byte[] exitPayload)
    {
        var frame = new byte[StreamFrame.HeaderSize + exitPayload.Length];
        StreamFrame.WriteHeader(frame, StreamFrame.Exit, exitPayload.Length);
        exitPayload.CopyTo(frame, StreamFrame.HeaderSize);
        lock (_lock)
        {
            if (Closed || _ending)
                return;
            _queue.Enqueue(frame);
            _ending = true;
            Monitor.Pulse(_lock);
        }
    }

    /// <summary>Detaches the client: its connection is shut down and its threads finish.</summary>
    public void Drop()
    {
        lock (_lock)
            DropLocked();
    }

    /// <summary>Waits until the writer thread has finished (the socket may be closed after that).</summary>
    public void Join() => _writer?.Join();

    private void DropLocked()
    {
        if (Closed)
            return;
        Closed = true;
        _queue.Clear();
        _queuedBytes = 0;
        Interop.shutdown(_socket, Interop.SHUT_RDWR);
        Monitor.Pulse(_lock);
    }

    private void WriteLoop()
    {
        while (true)
        {
            byte[] frame;
            lock (_lock)
            {
                while (!Closed && _queue.Count == 0 && !_ending)
                    Monitor.Wait(_lock);
                if (Closed)
                    return;
                if (_queue.Count == 0)
                {
                    // Ended and everything sent: closing our side tells the client the stream is over.
                    Closed = true;
                    Interop.shutdown(_socket, Interop.SHUT_RDWR);
                    return;
                }
                frame = _queue.Dequeue();
                _queuedBytes -= frame.Length;
            }
            if (!FdIo.TryWriteAll(_socket, frame, socket: true))
            {
                Drop();
                return;
            }
        }
    }
}
