using System.Text;
using WebEngine.Engine.Shims;
using WebEngine.ShimProtocol;

namespace WebEngine.Shim.Tests;

/// <summary>Everything an attach stream delivered: per-stream text, the chunks in order, and the final status.</summary>
public sealed class AttachOutput
{
    public List<ShimOutput> Chunks { get; } = [];
    public ProcessStatus? Exit { get; private set; }

    public string Stdout => Text(ShimStream.Stdout);
    public string Stderr => Text(ShimStream.Stderr);

    public string Text(ShimStream stream) => Encoding.UTF8.GetString(Chunks.Where(c => c.Stream == stream).SelectMany(c => c.Data).ToArray());

    public static async Task<AttachOutput> CollectAsync(ShimAttachStream stream, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var output = new AttachOutput();
        while (await stream.ReadAsync(timeout.Token) is { } chunk)
            output.Chunks.Add(chunk);
        output.Exit = stream.ExitStatus;
        return output;
    }
}
