using System.Net;
using System.Net.WebSockets;
using System.Text;
using WebEngine.Api.Tests.Containers;

namespace WebEngine.Api.Tests.Streams;

/// <summary>GET /containers/{id}/attach/ws with a real ClientWebSocket over the daemon's unix socket: logs, then live output; messages in are stdin.</summary>
public sealed class AttachWebSocketTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task StdinGoesInAndTheLogAndLiveOutputComeOut()
    {
        var name = BusyboxDaemonFixture.NewName("attachws");
        await fixture.DockerOkAsync("run", "-d", "-i", "--name", name, "busybox", "sh", "-c", "echo before; cat");
        try
        {
            await fixture.WaitForLogAsync(name, "before");
            using var invoker = new HttpMessageInvoker(fixture.UnixSocketHandler());
            using var socket = new ClientWebSocket();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await socket.ConnectAsync(new Uri($"ws://localhost/v1.50/containers/{name}/attach/ws?logs=1&stream=1&stdin=1&stdout=1&stderr=1"), invoker, timeout.Token);

            var received = new StringBuilder();
            await ReceiveUntilAsync(socket, received, "before\n", timeout.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes("hello through the socket\n"), WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
            var type = await ReceiveUntilAsync(socket, received, "hello through the socket\n", timeout.Token);
            Assert.Equal(WebSocketMessageType.Binary, type);
            // Raw output: no 8-byte frame headers, as Moby's attach/ws.
            Assert.StartsWith("before\n", received.ToString());
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        finally
        {
            await fixture.Daemon.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task AMissingContainerIs404AndAPlainGetIs400()
    {
        using var invoker = new HttpMessageInvoker(fixture.UnixSocketHandler());
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        var error = await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(new Uri("ws://localhost/v1.50/containers/no-such-container/attach/ws?stream=1&stdout=1"), invoker, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, socket.HttpStatusCode);
        Assert.NotNull(error);
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("containers/no-such-container/attach/ws?stream=1"), 400, "WebSocket");
    }

    /// <summary>Reads messages until what came holds <paramref name="expected"/>; returns the type of the last message.</summary>
    private static async Task<WebSocketMessageType> ReceiveUntilAsync(ClientWebSocket socket, StringBuilder received, string expected, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var type = WebSocketMessageType.Text;
        while (!received.ToString().Contains(expected))
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.True(result.MessageType != WebSocketMessageType.Close, $"the daemon closed the socket before sending {expected}; so far: {received}");
            type = result.MessageType;
            received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        return type;
    }
}
