using System.Diagnostics;

namespace WebEngine.Runtime.Tests.Cgroups;

/// <summary>
/// A /bin/sh script that waits for a line on stdin before running, so the test can move it into a
/// cgroup first; killed and reaped on dispose.
/// </summary>
internal sealed class TestProcess : IDisposable
{
    private readonly Process _process;

    public TestProcess(string scriptAfterGo)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", "read go; " + scriptAfterGo])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start");
    }

    public int Pid => _process.Id;

    /// <summary>Lets the script run.</summary>
    public void Go() => _process.StandardInput.WriteLine("go");

    /// <summary>The next line of the script's output (null at end of output).</summary>
    public string? ReadLine() => _process.StandardOutput.ReadLine();

    /// <summary>The process state letter from /proc/&lt;pid&gt;/stat (R, S, D, T, Z...).</summary>
    public char State()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
