using System.Text;
using System.Text.Json;

namespace WebEngine.Runtime.Cli;

/// <summary>
/// Where errors go: stderr, and the --log file in runc's formats (containerd reads the last error
/// from it with --log-format json: {"level":"error","msg":"...","time":"..."}).
/// </summary>
public sealed class ErrorLog(string? path, bool json)
{
    public void Error(string message) => Write("error", message, toStderr: true);

    public void Warning(string message) => Write("warning", message, toStderr: true);

    private void Write(string level, string message, bool toStderr)
    {
        if (toStderr)
            Console.Error.WriteLine($"webengine-runtime: {message}");
        if (path == null)
            return;
        var time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        string line;
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("level", level);
                writer.WriteString("msg", message);
                writer.WriteString("time", time);
                writer.WriteEndObject();
            }
            line = Encoding.UTF8.GetString(buffer.ToArray());
        }
        else
        {
            line = $"time=\"{time}\" level={level} msg=\"{message.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        }
        try
        {
            File.AppendAllText(path, line + "\n");
        }
        catch (IOException)
        {
            // The log is advisory: the error already went to stderr.
        }
    }
}
