using WebEngine.ShimProtocol;

namespace WebEngine.Shim.Tests;

/// <summary>The exit code a shim reports for the container's process, the way Docker reports it.</summary>
public sealed class ShimExitCodeTests
{
    [Theory]
    [InlineData(RuntimeUnderTest.Runc, "exit 0", 0)]
    [InlineData(RuntimeUnderTest.Runc, "exit 42", 42)]
    [InlineData(RuntimeUnderTest.WebEngine, "exit 0", 0)]
    [InlineData(RuntimeUnderTest.WebEngine, "exit 42", 42)]
    public async Task Reports_the_exit_code_of_the_containers_process(string runtime, string script, int expected)
    {
        await using var harness = ShimHarness.Create(runtime, ["sh", "-c", script]);
        var client = await harness.LaunchAsync();
        Assert.Equal(ProcessStatuses.Created, (await client.GetStateAsync()).Status);
        await client.StartAsync();
        var status = await ShimHarness.WaitWithTimeoutAsync(client);
        Assert.Equal(ProcessStatuses.Stopped, status.Status);
        Assert.Equal(expected, status.ExitCode);
        Assert.NotNull(status.StartedAt);
        Assert.NotNull(status.FinishedAt);
        Assert.True(status.StartedAt <= status.FinishedAt, $"started {status.StartedAt:o}, finished {status.FinishedAt:o}");
        Assert.True(status.Pid > 0);
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task A_container_killed_with_SIGKILL_exits_137(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["sleep", "1000"]);
        var client = await harness.LaunchAsync();
        await client.StartAsync();
        Assert.Equal(ProcessStatuses.Running, (await client.GetStateAsync()).Status);
        await client.KillAsync(9);
        var status = await ShimHarness.WaitWithTimeoutAsync(client);
        Assert.Equal(137, status.ExitCode);
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task A_missing_program_exits_127_with_the_runtimes_error(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["/no/such/program"]);
        var client = await harness.LaunchAsync();
        var created = await client.GetStateAsync();
        // runc finds out at create, others may at start: either way the container ends stopped with 127.
        if (created.Status == ProcessStatuses.Created)
            await client.StartAsync();
        var status = await ShimHarness.WaitWithTimeoutAsync(client);
        Assert.Equal(ProcessStatuses.Stopped, status.Status);
        Assert.Equal(127, status.ExitCode);
        Assert.Contains("/no/such/program", status.Error);
    }
}
