using System.Globalization;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    private const long UserHz = 100;

    /// <summary>docker stats, one sample: CPU, memory, pids and block I/O from the container's cgroup, network traffic from its namespace.</summary>
    public async Task<ContainerStats> StatsAsync(string idOrName, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(idOrName, cancellationToken);
        if (!ContainerStatusNames.HasProcess(ContainerStore.Status(record)) || record.Pid <= 0)
            throw new ConflictException($"container {record.Id} is not running");
        var cgroup = ContainerCgroup.Of(record.Pid);
        var memoryStat = cgroup.ReadKeyed("memory", "memory.stat");
        return new ContainerStats
        {
            Read = DateTime.UtcNow,
            CpuTotalUsage = cgroup.IsV2
                ? cgroup.ReadKeyed("cpu", "cpu.stat").GetValueOrDefault("usage_usec") * 1000
                : cgroup.ReadNumber("cpuacct", "cpuacct.usage") ?? 0,
            SystemCpuUsage = SystemCpuNanoseconds(),
            OnlineCpus = Environment.ProcessorCount,
            MemoryUsage = cgroup.ReadNumber("memory", cgroup.IsV2 ? "memory.current" : "memory.usage_in_bytes") ?? 0,
            MemoryLimit = MemoryLimit(cgroup),
            MemoryStat = memoryStat,
            PidsCurrent = cgroup.ReadNumber("pids", "pids.current") ?? 0,
            PidsLimit = cgroup.ReadNumber("pids", "pids.max"),
            BlockIo = cgroup.IsV2 ? BlockIoV2(cgroup) : BlockIoV1(cgroup),
            Networks = NetworkCounters.OfProcess(record.Pid),
        };
    }

    /// <summary>docker top: ps -ef's columns for every process of the container (from the shim's pid list and /proc).</summary>
    public async Task<ContainerTop> TopAsync(string idOrName, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(idOrName, cancellationToken);
        if (!_entries.TryGetValue(record.Id, out var entry) || entry.Run is not { } run)
            throw new ConflictException($"container {record.Id} is not running");
        var pids = await run.Client.GetPidsAsync(cancellationToken);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var pid in pids.Order())
        {
            try
            {
                rows.Add(TopRow(pid));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended between the list and the read.
            }
        }
        return new ContainerTop(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], rows);
    }

    /// <summary>
    /// docker top with ps options: the host's `ps` run with <paramref name="psArgs"/> (split on spaces, as Moby does),
    /// keeping the rows of the container's processes; the output must have a PID column. Null or empty: <see cref="TopAsync(string, CancellationToken)"/>.
    /// </summary>
    public async Task<ContainerTop> TopAsync(string idOrName, string? psArgs, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(psArgs))
            return await TopAsync(idOrName, cancellationToken);
        var record = await _store.GetAsync(idOrName, cancellationToken);
        if (!_entries.TryGetValue(record.Id, out var entry) || entry.Run is not { } run)
            throw new ConflictException($"container {record.Id} is not running");
        var pids = (await run.Client.GetPidsAsync(cancellationToken)).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        var output = await RunPsAsync(psArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries), cancellationToken);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
            throw new InvalidArgumentException($"ps {psArgs} printed nothing");
        var titles = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var pidColumn = Array.IndexOf(titles, "PID");
        if (pidColumn < 0)
            throw new InvalidArgumentException("Couldn't find PID field in ps output");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length <= pidColumn || !pids.Contains(fields[pidColumn]))
                continue;
            // The last column (the command) may hold spaces: it takes the rest of the line.
            var row = fields.Take(titles.Length - 1).ToList();
            row.Add(string.Join(' ', fields.Skip(titles.Length - 1)));
            rows.Add(row);
        }
        return new ContainerTop(titles, rows);
    }

    private static async Task<string> RunPsAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(start) ?? throw new UnavailableException("ps could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UnavailableException($"ps could not be started (install procps): {e.Message}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
                throw new InvalidArgumentException($"Error running ps {string.Join(' ', arguments)}: {(await stderr).Trim()}");
            return await stdout;
        }
    }

    private static List<string> TopRow(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ppid = fields[1];
        var cpuTicks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var startTicks = long.Parse(fields[19], CultureInfo.InvariantCulture);
        var uid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
        var bootTime = File.ReadLines("/proc/stat").First(l => l.StartsWith("btime ", StringComparison.Ordinal))[6..];
        var started = DateTimeOffset.FromUnixTimeSeconds(long.Parse(bootTime, CultureInfo.InvariantCulture) + startTicks / UserHz).ToLocalTime();
        var cpu = TimeSpan.FromSeconds(cpuTicks / UserHz);
        var uptimeTicks = Math.Max(1, (DateTimeOffset.UtcNow - started).TotalSeconds * UserHz);
        return
        [
            uid == "0" ? "root" : uid, pid.ToString(CultureInfo.InvariantCulture), ppid,
            ((int)(cpuTicks * 100 / uptimeTicks)).ToString(CultureInfo.InvariantCulture), started.ToString("HH:mm", CultureInfo.InvariantCulture),
            "?", $"{(int)cpu.TotalHours:00}:{cpu.Minutes:00}:{cpu.Seconds:00}", cmdline.Length > 0 ? cmdline : $"[{stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')]}]",
        ];
    }

    private static long MemoryLimit(ContainerCgroup cgroup)
    {
        var text = cgroup.ReadText("memory", cgroup.IsV2 ? "memory.max" : "memory.limit_in_bytes");
        var host = HostMemory();
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) && limit < host ? limit : host;
    }

    private static long HostMemory()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The sum of the first line of /proc/stat, converted from clock ticks to nanoseconds.</summary>
    private static long SystemCpuNanoseconds()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Sum(v => long.Parse(v, CultureInfo.InvariantCulture));
        return ticks * (1_000_000_000 / UserHz);
    }

    private static List<BlockIoEntry> BlockIoV1(ContainerCgroup cgroup)
    {
        var entries = new List<BlockIoEntry>();
        var text = cgroup.ReadText("blkio", "blkio.throttle.io_service_bytes_recursive") ?? cgroup.ReadText("blkio", "blkio.throttle.io_service_bytes") ?? "";
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length != 3 || parts[1] is not ("Read" or "Write"))
                continue;
            var device = parts[0].Split(':');
            entries.Add(new BlockIoEntry(long.Parse(device[0], CultureInfo.InvariantCulture), long.Parse(device[1], CultureInfo.InvariantCulture),
                parts[1].ToLowerInvariant(), long.Parse(parts[2], CultureInfo.InvariantCulture)));
        }
        return entries;
    }

    private static List<BlockIoEntry> BlockIoV2(ContainerCgroup cgroup)
    {
        var entries = new List<BlockIoEntry>();
        foreach (var line in (cgroup.ReadText("io", "io.stat") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            var device = parts[0].Split(':');
            foreach (var pair in parts.Skip(1).Select(p => p.Split('=')).Where(p => p.Length == 2 && p[0] is "rbytes" or "wbytes"))
            {
                entries.Add(new BlockIoEntry(long.Parse(device[0], CultureInfo.InvariantCulture), long.Parse(device[1], CultureInfo.InvariantCulture),
                    pair[0] == "rbytes" ? "read" : "write", long.Parse(pair[1], CultureInfo.InvariantCulture)));
            }
        }
        return entries;
    }
}
