using System.Text;

namespace WebEngine.Shim;

/// <summary>The shim's own diagnostics, written to its stderr (the state directory's shim.log once detached).</summary>
internal static class ShimLog
{
    public static void Error(string message)
    {
        Span<byte> time = stackalloc byte[JsonLogEncoder.MaxTimeLength];
        var length = JsonLogEncoder.FormatTime(time, DateTimeOffset.UtcNow);
        var line = Encoding.UTF8.GetBytes($"{Encoding.ASCII.GetString(time[..length])} webengine-shim[{Environment.ProcessId}]: {message}\n");
        FdIo.TryWriteAll(2, line, socket: false);
    }
}
