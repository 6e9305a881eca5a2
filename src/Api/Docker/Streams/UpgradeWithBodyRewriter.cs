using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace WebEngine.Api.Docker.Streams;

/// <summary>
/// A Kestrel connection middleware that lets a request with `Connection: Upgrade` and a body be upgraded. Docker's
/// `POST /exec/{id}/start` is such a request (its JSON body comes with `Upgrade: tcp`), and Kestrel serves an upgrade
/// only for a request without a body. This scans each request head on the connection; for an upgrade request with a
/// Content-Length it moves the length to <see cref="BodyLengthHeader"/>, so Kestrel upgrades it and the body becomes
/// the first bytes of the upgraded stream, where the endpoint reads it (<see cref="HijackedConnection.ReadUpgradeBodyAsync"/>).
/// Other requests pass through untouched. A chunked request body is not scanned: the rest of that connection passes through.
/// <see cref="RunAsync"/> says why a client's half-close is not passed on as a hang-up.
/// </summary>
public static class UpgradeWithBodyRewriter
{
    public const string BodyLengthHeader = "X-WebEngine-Upgrade-Body-Length";

    /// <summary>Longer request heads are left to Kestrel (which refuses them).</summary>
    private const int MaxHeadLength = 64 * 1024;

    private static readonly TimeSpan HangupPollInterval = TimeSpan.FromMilliseconds(500);

    public static TBuilder UseDockerUpgradeWithBody<TBuilder>(this TBuilder builder) where TBuilder : IConnectionBuilder
    {
        builder.Use(next => connection => RunAsync(connection, next));
        return builder;
    }

    /// <summary>
    /// Also keeps a client's half-close from being taken for a hang-up. Kestrel treats the end of a client's input as the
    /// end of the connection and aborts the response; but Docker clients half-close on purpose: the CLI as soon as it
    /// has no stdin to send on an attach. So the end of the client's input closes
    /// the connection for Kestrel only when it came with an error, or once the socket shows the client has really gone.
    /// </summary>
    private static async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var transport = connection.Transport;
        var closedByTransport = connection.ConnectionClosed;
        using var closed = new CancellationTokenSource();
        using var ended = new CancellationTokenSource();
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var rewritten = new Pipe(new PipeOptions(useSynchronizationContext: false));
        connection.Transport = new RewrittenTransport(rewritten.Reader, transport.Output);
        connection.ConnectionClosed = closed.Token;
        var copying = CopyAsync(transport.Input, rewritten.Writer, socket, closed, ended.Token);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
            connection.ConnectionClosed = closedByTransport;
            await ended.CancelAsync();
            transport.Input.CancelPendingRead();
            await copying;
        }
    }

    private static async Task CopyAsync(PipeReader input, PipeWriter output, Socket? socket, CancellationTokenSource closed, CancellationToken ended)
    {
        var scanner = new RequestScanner();
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                if (result.IsCanceled)
                    break;
                var consumed = scanner.Scan(result.Buffer, output, result.IsCompleted);
                input.AdvanceTo(consumed, result.Buffer.End);
                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                    break;
                if (result.IsCompleted)
                {
                    // An upgraded stream reads the end of input as the client's half-close. Kestrel takes the end of
                    // input during a request as a truncated body (400), so there it is passed on only once the client is gone.
                    if (scanner.Upgraded)
                        await output.CompleteAsync();
                    await WatchForHangupAsync(socket, closed, ended);
                    break;
                }
            }
            await output.CompleteAsync();
        }
        catch (Exception e)
        {
            await output.CompleteAsync(e);
            await closed.CancelAsync();
        }
    }

    /// <summary>After a clean end of the client's input: tells Kestrel the connection is closed once the client has hung up.</summary>
    private static async Task WatchForHangupAsync(Socket? socket, CancellationTokenSource closed, CancellationToken ended)
    {
        if (socket is null)
        {
            await closed.CancelAsync();
            return;
        }
        try
        {
            while (!ClientSocket.HasHungUp(socket))
                await Task.Delay(HangupPollInterval, ended);
            await closed.CancelAsync();
        }
        catch (OperationCanceledException)
        {
            // The connection ended first.
        }
    }

    private sealed class RewrittenTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>Follows the requests on one connection: heads, bodies of a known length, and what follows an upgrade.</summary>
    private sealed class RequestScanner
    {
        private enum Mode { Head, Body, PassThrough }

        private Mode _mode = Mode.Head;
        private long _bodyLeft;

        /// <summary>An upgrade request went by: what follows is a raw stream.</summary>
        public bool Upgraded { get; private set; }

        /// <summary>Forwards what can be forwarded and returns how far <paramref name="buffer"/> was consumed.</summary>
        public SequencePosition Scan(ReadOnlySequence<byte> buffer, PipeWriter output, bool completed)
        {
            while (!buffer.IsEmpty)
            {
                switch (_mode)
                {
                    case Mode.PassThrough:
                        Forward(buffer, output);
                        return buffer.End;
                    case Mode.Body:
                        var body = buffer.Slice(0, Math.Min(_bodyLeft, buffer.Length));
                        Forward(body, output);
                        _bodyLeft -= body.Length;
                        if (_bodyLeft == 0)
                            _mode = Mode.Head;
                        buffer = buffer.Slice(body.End);
                        break;
                    default:
                        if (FindEndOfHead(buffer) is not { } endOfHead)
                        {
                            if (buffer.Length <= MaxHeadLength && !completed)
                                return buffer.Start;
                            _mode = Mode.PassThrough;
                            break;
                        }
                        output.Write(RewriteHead(buffer.Slice(0, endOfHead)));
                        buffer = buffer.Slice(endOfHead);
                        break;
                }
            }
            return buffer.End;
        }

        /// <summary>
        /// Where the blank line that ends a request head ends. Lines may end in a bare LF, as Kestrel accepts:
        /// Docker.DotNet ends each header line with "\n" and the head with "\r\n", so "\r\n\r\n" never comes.
        /// </summary>
        private static SequencePosition? FindEndOfHead(ReadOnlySequence<byte> buffer)
        {
            var reader = new SequenceReader<byte>(buffer);
            while (reader.TryAdvanceTo((byte)'\n'))
            {
                if (reader.IsNext((byte)'\n', advancePast: true) || reader.IsNext("\r\n"u8, advancePast: true))
                    return reader.Position;
            }
            return null;
        }

        /// <summary>The head to forward, its blank line included: as it came, unless an upgrade's body length must move.</summary>
        private byte[] RewriteHead(ReadOnlySequence<byte> head)
        {
            var text = Encoding.Latin1.GetString(head);
            var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).ToArray();
            long? contentLength = null;
            bool chunked = false, connectionUpgrade = false, upgrade = false;
            foreach (var line in lines.Skip(1))
            {
                if (HeaderName(line) is not { } name)
                    continue;
                var value = line[(line.IndexOf(':') + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, out var length) && length >= 0)
                    contentLength = length;
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                    chunked = true;
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                    connectionUpgrade |= value.Split(',').Any(token => token.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase));
                else if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
                    upgrade |= value.Length > 0;
            }
            if (chunked)
            {
                _mode = Mode.PassThrough;
                return head.ToArray();
            }
            if (connectionUpgrade && upgrade)
            {
                // After an upgrade the connection carries raw bytes, not requests.
                _mode = Mode.PassThrough;
                Upgraded = true;
                if (contentLength is not > 0)
                    return head.ToArray();
                var kept = lines.Where((line, i) => i == 0 || HeaderName(line) is not { } name
                    || !(name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals(BodyLengthHeader, StringComparison.OrdinalIgnoreCase)));
                return Encoding.Latin1.GetBytes(string.Join("\r\n", kept.Append($"{BodyLengthHeader}: {contentLength}")) + "\r\n\r\n");
            }
            if (contentLength is > 0)
            {
                _mode = Mode.Body;
                _bodyLeft = contentLength.Value;
            }
            return head.ToArray();
        }

        private static string? HeaderName(string line)
        {
            var colon = line.IndexOf(':');
            return colon > 0 ? line[..colon].Trim() : null;
        }

        private static void Forward(ReadOnlySequence<byte> data, PipeWriter output)
        {
            foreach (var segment in data)
                output.Write(segment.Span);
        }
    }
}
