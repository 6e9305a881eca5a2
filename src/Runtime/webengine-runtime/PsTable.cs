using System.Diagnostics;
using System.Globalization;

namespace WebEngine.Runtime.Cli;

/// <summary>`ps` without --format json: runs ps(1) (default -ef) and keeps the header and the container's rows, as runc does.</summary>
public static class PsTable
{
    public static int Print(IReadOnlyCollection<int> pids, string[] psArgs)
    {
        var startInfo = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in psArgs.Length == 0 ? ["-ef"] : psArgs)
            startInfo.ArgumentList.Add(arg);
        using var ps = Process.Start(startInfo) ?? throw new InvalidOperationException("ps did not start");
        var lines = ps.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ps.WaitForExit();
        if (ps.ExitCode != 0 || lines.Length == 0)
            throw new InvalidArgumentException($"ps {string.Join(' ', startInfo.ArgumentList)} exited with status {ps.ExitCode}");
        var pidColumn = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidColumn < 0)
            throw new InvalidArgumentException("ps: the output has no PID column");
        Console.Out.WriteLine(lines[0]);
        var wanted = pids.ToHashSet();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > pidColumn && int.TryParse(fields[pidColumn], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && wanted.Contains(pid))
                Console.Out.WriteLine(line);
        }
        return 0;
    }
}
