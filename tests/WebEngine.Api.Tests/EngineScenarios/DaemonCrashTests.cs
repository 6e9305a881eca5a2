using System.Globalization;
using System.Text.Json;

using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.EngineScenarios;

/// <summary>
/// The fault test, against the real daemon process and the docker CLI: 50 containers count in their logs while
/// the daemon is killed with SIGKILL and started again on the same data root.
/// </summary>
public sealed class DaemonCrashTests
{
    private const int Counters = 50;
    private const int ExitCode = 7;
    private const string Counter = "i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done";
    private const string OutageMarker = "outage";

    [Fact]
    public async Task ContainersSurviveAKilledDaemon()
    {
        await using var daemon = await DaemonProcess.StartWithBusyboxAsync();
        var prefix = $"crash{Guid.NewGuid():N}"[..13];
        var names = Enumerable.Range(0, Counters).Select(i => $"{prefix}-{i}").ToList();
        await ForEachAsync(names, name => DockerOkAsync(daemon, "run", "-d", "--name", name, "--network", "none", "busybox", "sh", "-c", Counter));
        // Exits with a known code once the marker file appears in its root: that happens while the daemon is down.
        var exiting = $"{prefix}-exit";
        var exitingId = await DockerOkAsync(daemon, "run", "-d", "--name", exiting, "--network", "none", "busybox", "sh", "-c",
            $"while [ ! -e /{OutageMarker} ]; do sleep 0.05; done; exit {ExitCode}");
        var before = await InspectAsync(daemon, [.. names, exiting]);
        Assert.All(before.Values, s => Assert.Equal("running", s.Status));
        var exitingPid = before[exiting].Pid;
        await Task.Delay(500);

        DateTime markerAt = default, goneAt = default;
        await daemon.RestartAsync(async () =>
        {
            markerAt = DateTime.UtcNow;
            await File.WriteAllTextAsync(Path.Combine(daemon.DataRoot, "containers", exitingId, "rootfs", OutageMarker), "");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Directory.Exists($"/proc/{exitingPid}") && !IsZombie(exitingPid) && DateTime.UtcNow < deadline)
                await Task.Delay(20);
            goneAt = DateTime.UtcNow;
            Assert.True(goneAt < deadline, "the container did not exit while the daemon was down");
            // The counters go on without the daemon for a while.
            await Task.Delay(1000);
        });

        var after = await InspectAsync(daemon, [.. names, exiting]);
        foreach (var name in names)
            Assert.Equal(("running", before[name].Pid), (after[name].Status, after[name].Pid));
        var ended = after[exiting];
        Assert.Equal(("exited", ExitCode), (ended.Status, ended.ExitCode));
        Assert.InRange(ended.FinishedAt, markerAt.AddSeconds(-1), goneAt.AddSeconds(1));

        // Each log counts 1, 2, 3... with no gap and no repeat across the outage, and goes on after it.
        await Task.Delay(1000);
        await ForEachAsync(names, async name =>
        {
            var numbers = (await DockerOkAsync(daemon, "logs", name)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => int.Parse(line, CultureInfo.InvariantCulture)).ToList();
            Assert.True(numbers.Count >= 20, $"{name} logged only {numbers.Count} numbers");
            Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        });
        Assert.Equal(Counters, (await DockerOkAsync(daemon, "ps", "-q", "--filter", $"name={prefix}")).Split('\n').Length);
    }

    private sealed record State(string Status, int Pid, int ExitCode, DateTime FinishedAt);

    private static async Task<Dictionary<string, State>> InspectAsync(DaemonProcess daemon, IReadOnlyList<string> names)
    {
        using var document = JsonDocument.Parse(await DockerOkAsync(daemon, ["inspect", .. names]));
        return document.RootElement.EnumerateArray().ToDictionary(
            c => c.GetProperty("Name").GetString()!.TrimStart('/'),
            c =>
            {
                var state = c.GetProperty("State");
                return new State(state.GetProperty("Status").GetString()!, state.GetProperty("Pid").GetInt32(), state.GetProperty("ExitCode").GetInt32(),
                    DateTime.Parse(state.GetProperty("FinishedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
            });
    }

    private static async Task<string> DockerOkAsync(DaemonProcess daemon, params string[] args)
    {
        var (code, stdout, stderr) = await daemon.DockerAsync(args);
        Assert.True(code == 0, $"docker {string.Join(' ', args)} exited {code}: {stderr}\n{stdout}");
        return stdout.Trim();
    }

    /// <summary>A few CLI calls at a time: enough to be quick, not so many that a 2-core machine thrashes.</summary>
    private static Task ForEachAsync(IEnumerable<string> names, Func<string, Task> action) =>
        Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (name, _) => await action(name));

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] == 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
