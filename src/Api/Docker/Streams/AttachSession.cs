using Microsoft.AspNetCore.Connections;
using WebEngine.Engine.Shims;

namespace WebEngine.Api.Docker.Streams;

/// <summary>How a client's input is handled on an attach or exec stream.</summary>
/// <param name="Stdin">The client's bytes are the process's stdin (else they are read and dropped).</param>
/// <param name="CloseStdinAtEnd">
/// When the client ends its input (a half-close), the process's stdin is closed and output goes on (StdinOnce without a
/// terminal); otherwise the end of the client's input ends the attach, as in Moby.
/// </param>
/// <param name="DetachKeys">The sequence that ends the attach and leaves the process running.</param>
public sealed record AttachInput(bool Stdin, bool CloseStdinAtEnd, DetachKeys DetachKeys);

/// <summary>
/// Joins a hijacked client to a process's attach stream: output chunks go out as they come (framed or raw), the client's
/// bytes go to the process's stdin. Ends when the process ends (after its last output), when the client detaches or
/// goes away. A client that stops reading holds up only its own stream: the shim drops a reader that falls behind
/// rather than stalling the container.
/// </summary>
public static class AttachSession
{
    public static async Task RunAsync(HijackedConnection client, StreamFrameWriter writer, ShimAttachStream process, AttachInput input,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var output = PumpOutputAsync(writer, process, stop.Token);
        var inputEnded = client.Upgraded
            ? PumpInputAsync(client, process, input, stop.Token)
            : Task.Delay(Timeout.Infinite, stop.Token);
        try
        {
            await Task.WhenAny(output, inputEnded);
        }
        finally
        {
            await stop.CancelAsync();
            await Ignore(output);
            await Ignore(inputEnded);
        }
    }

    private static async Task PumpOutputAsync(StreamFrameWriter writer, ShimAttachStream process, CancellationToken cancellationToken)
    {
        while (await process.ReadAsync(cancellationToken) is { } chunk)
            await writer.WriteAsync(chunk, cancellationToken);
    }

    /// <summary>Completes when the client's input ends the attach (detach keys, or its end when that ends the attach).</summary>
    private static async Task PumpInputAsync(HijackedConnection client, ShimAttachStream process, AttachInput input, CancellationToken cancellationToken)
    {
        var filter = input.DetachKeys.NewFilter();
        var forward = input.Stdin;
        var buffer = new byte[16 * 1024];
        var passed = new List<byte>(buffer.Length);
        while (true)
        {
            var n = await client.Input.ReadAsync(buffer, cancellationToken);
            if (n == 0)
                break;
            if (!forward)
                continue;
            passed.Clear();
            var detach = filter.Filter(buffer.AsSpan(0, n), passed);
            if (passed.Count > 0)
                forward = await TryWriteStdinAsync(process, passed.ToArray(), cancellationToken);
            if (detach)
                return;
        }
        if (input.Stdin && !input.CloseStdinAtEnd)
            return;
        if (input.Stdin && forward)
            TryCompleteStdin(process);
        // The client's half-close is not a hang-up: output goes on until the process ends, or the client goes (the
        // connection's abort cancels this).
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>False once the process's input is gone (it ended): the rest of the client's input is dropped, its output still comes.</summary>
    private static async Task<bool> TryWriteStdinAsync(ShimAttachStream process, byte[] data, CancellationToken cancellationToken)
    {
        try
        {
            await process.WriteStdinAsync(data, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static void TryCompleteStdin(ShimAttachStream process)
    {
        try
        {
            process.CompleteStdin();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The process's attach connection is already gone: its stdin is closed anyway.
        }
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or ConnectionAbortedException
                                       or System.Net.Sockets.SocketException)
        {
            // The client went away or the stream was stopped: either way this attach is over.
        }
    }
}
