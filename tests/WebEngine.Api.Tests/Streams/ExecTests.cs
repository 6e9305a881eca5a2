using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WebEngine.Api.Tests.Streams;

/// <summary>The exec endpoints over raw HTTP, with the bodies the docker CLI sends.</summary>
public sealed class ExecTests(StreamsHostFixture fixture) : IClassFixture<StreamsHostFixture>
{
    private StreamsHost Host => fixture.Host;

    [Fact]
    public async Task ExecStartWithABodyUpgradesPipesStdinAndReportsTheExitCode()
    {
        var id = await Host.RunAsync("sleep 1000");
        var execId = await CreateExecAsync(id, """{"AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Cmd":["sh","-c","read x; echo got $x; echo oops >&2; exit 3"]}""");
        using var client = Host.Connect();
        var response = await client.SendAsync("POST", $"/v1.50/exec/{execId}/start", """{"Detach":false,"Tty":false}""");
        Assert.Equal(101, response.Status);
        Assert.Equal("application/vnd.docker.multiplexed-stream", response.Header("Content-Type"));
        await client.WriteAsync("hi\n");
        client.CloseWrite();

        var (stdout, stderr, _) = await client.ReadOutputToEndAsync(StreamsHost.Timeout());
        Assert.Equal(("got hi\n", "oops\n"), (stdout, stderr));
        var inspect = await InspectExecAsync(execId);
        Assert.Equal((false, 3), (inspect.GetProperty("Running").GetBoolean(), inspect.GetProperty("ExitCode").GetInt32()));
        Assert.Equal(id, inspect.GetProperty("ContainerID").GetString());
        Assert.Equal("sh", inspect.GetProperty("ProcessConfig").GetProperty("entrypoint").GetString());
    }

    [Fact]
    public async Task ExecHonoursEnvUserAndWorkingDir()
    {
        var id = await Host.RunAsync("sleep 1000");
        var execId = await CreateExecAsync(id, """{"AttachStdout":true,"AttachStderr":true,"Env":["GREETING=hello"],"User":"1000:1000","WorkingDir":"/tmp","Cmd":["sh","-c","echo $GREETING $(id -u):$(id -g) $(pwd)"]}""");
        using var client = Host.Connect();
        Assert.Equal(101, (await client.SendAsync("POST", $"/exec/{execId}/start", """{"Detach":false,"Tty":false}""")).Status);
        client.CloseWrite();
        Assert.Equal("hello 1000:1000 /tmp\n", (await client.ReadOutputToEndAsync(StreamsHost.Timeout())).Stdout);
    }

    [Fact]
    public async Task TtyExecIsRawAndTakesItsConsoleSize()
    {
        var id = await Host.RunAsync("sleep 1000");
        var execId = await CreateExecAsync(id, """{"AttachStdin":true,"AttachStdout":true,"Tty":true,"ConsoleSize":[31,97],"Cmd":["sh","-c","stty size; read x; echo got $x"]}""");
        using var client = Host.Connect();
        var response = await client.SendAsync("POST", $"/exec/{execId}/start", """{"Detach":false,"Tty":true,"ConsoleSize":[31,97]}""");
        Assert.Equal("application/vnd.docker.raw-stream", response.Header("Content-Type"));
        Assert.Contains("31 97", await client.ReadUntilAsync("31 97", StreamsHost.Timeout()));
        using (var http = RawDockerConnection.HttpClient(Host.Socket))
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/exec/{execId}/resize?h=40&w=120", null)).StatusCode);
        await client.WriteAsync("there\r");
        Assert.Contains("got there", await client.ReadRawToEndAsync(StreamsHost.Timeout()));
    }

    [Fact]
    public async Task DetachedExecAnswers200AndRunsToItsExitCode()
    {
        var id = await Host.RunAsync("sleep 1000");
        var execId = await CreateExecAsync(id, """{"Detach":true,"Cmd":["sh","-c","exit 5"]}""");
        using var http = RawDockerConnection.HttpClient(Host.Socket);
        using var response = await http.PostAsync($"/exec/{execId}/start", JsonContent.Create(new { Detach = true, Tty = false }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await InspectExecAsync(execId)).GetProperty("ExitCode").ValueKind == JsonValueKind.Null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the detached exec never finished");
            await Task.Delay(50);
        }
        Assert.Equal(5, (await InspectExecAsync(execId)).GetProperty("ExitCode").GetInt32());
    }

    [Fact]
    public async Task AMissingCommandIsReportedInTheStreamWithExitCode127()
    {
        var id = await Host.RunAsync("sleep 1000");
        var execId = await CreateExecAsync(id, """{"AttachStdout":true,"AttachStderr":true,"Cmd":["nosuchcommand"]}""");
        using var client = Host.Connect();
        Assert.Equal(101, (await client.SendAsync("POST", $"/exec/{execId}/start", """{"Detach":false,"Tty":false}""")).Status);
        client.CloseWrite();
        var (stdout, _, _) = await client.ReadOutputToEndAsync(StreamsHost.Timeout());
        Assert.Contains("nosuchcommand", stdout);
        Assert.Equal(127, (await InspectExecAsync(execId)).GetProperty("ExitCode").GetInt32());
    }

    [Fact]
    public async Task BadRequestsGetDockerErrorsAndNothingStarts()
    {
        var stopped = await Host.CreateAsync("true");
        var running = await Host.RunAsync("sleep 1000");
        using var http = RawDockerConnection.HttpClient(Host.Socket);

        await AssertErrorAsync(http.PostAsync("/containers/nosuch/exec", JsonContent.Create(new { Cmd = new[] { "true" } })), 404, "No such container");
        await AssertErrorAsync(http.PostAsync($"/containers/{stopped}/exec", JsonContent.Create(new { Cmd = new[] { "true" } })), 409, "is not running");
        await AssertErrorAsync(http.PostAsync($"/containers/{running}/exec", new StringContent("{\"Cmd\":", null, "application/json")), 400, "");
        await AssertErrorAsync(http.PostAsync($"/containers/{running}/exec", new StringContent("{\"Cmd\":\"ls\"}", null, "application/json")), 400, "");
        await AssertErrorAsync(http.PostAsync($"/containers/{running}/exec", JsonContent.Create(new { Cmd = Array.Empty<string>() })), 400, "No exec command specified");
        await AssertErrorAsync(http.PostAsync($"/containers/{running}/exec", JsonContent.Create(new { Cmd = new[] { "true" }, DetachKeys = "ctrl-" })), 400, "Invalid detach keys");
        await AssertErrorAsync(http.PostAsync($"/containers/{running}/exec", JsonContent.Create(new { Cmd = new[] { "true" }, ConsoleSize = new[] { 1 } })), 400, "ConsoleSize");
        await AssertErrorAsync(http.GetAsync("/exec/nosuch/json"), 404, "No such exec instance");
        await AssertErrorAsync(http.PostAsync("/exec/nosuch/resize?h=1&w=1", null), 404, "No such exec instance");

        var execId = await CreateExecAsync(running, """{"AttachStdout":true,"Cmd":["true"]}""");
        await AssertErrorAsync(http.PostAsync($"/exec/{execId}/resize?h=x&w=1", null), 400, "invalid resize h");

        // An upgrade request whose body waits on the connection: the error answer closes it.
        using var client = Host.Connect();
        var missing = await client.SendAsync("POST", "/exec/nosuch/start", """{"Detach":false,"Tty":false}""");
        Assert.Equal((404, "application/json", "close"), (missing.Status, missing.Header("Content-Type"), missing.Header("Connection")));
        Assert.False((await InspectExecAsync(execId)).GetProperty("Running").GetBoolean());
    }

    [Fact]
    public async Task ExecAfterTheContainerStoppedIsAConflict()
    {
        var id = await Host.RunAsync("sleep 1000");
        var execId = await CreateExecAsync(id, """{"AttachStdout":true,"Cmd":["true"]}""");
        await Host.Containers.StopAsync(id, timeoutSeconds: 0, signal: null, StreamsHost.Timeout());
        using var client = Host.Connect();
        Assert.Equal(101, (await client.SendAsync("POST", $"/exec/{execId}/start", """{"Detach":false,"Tty":false}""")).Status);
        client.CloseWrite();
        var (_, _, error) = await client.ReadOutputToEndAsync(StreamsHost.Timeout());
        Assert.Contains("is not running", error);
    }

    private async Task<string> CreateExecAsync(string containerId, string body)
    {
        using var http = RawDockerConnection.HttpClient(Host.Socket);
        using var response = await http.PostAsync($"/v1.50/containers/{containerId}/exec", new StringContent(body, null, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await DockerJson.ReadAsync<JsonElement>(response)).GetProperty("Id").GetString()!;
    }

    private async Task<JsonElement> InspectExecAsync(string execId)
    {
        using var http = RawDockerConnection.HttpClient(Host.Socket);
        using var response = await http.GetAsync($"/exec/{execId}/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await DockerJson.ReadAsync<JsonElement>(response);
    }

    private static async Task AssertErrorAsync(Task<HttpResponseMessage> request, int status, string message)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Contains(message, JsonDocument.Parse(body).RootElement.GetProperty("message").GetString());
    }
}
