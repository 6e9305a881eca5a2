using System.Text;
using System.Text.Json;
using WebEngine.ShimProtocol;

namespace WebEngine.Shim.Tests;

/// <summary>The protocol's framing, from the engine's side (the shim's side is exercised by every end-to-end test).</summary>
public sealed class ShimProtocolTests
{
    [Fact]
    public async Task A_request_frame_is_a_big_endian_length_and_camelCase_JSON()
    {
        var frame = ShimFrame.Encode(new ShimRequest { Op = ShimOperations.Kill, Signal = 9, All = true }, ShimJsonContext.Default.ShimRequest);
        var json = Encoding.UTF8.GetString(frame, 4, frame.Length - 4);
        Assert.Equal(json.Length, (frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3]);
        Assert.Equal("""{"op":"kill","signal":9,"all":true}""", json);

        var decoded = await ShimFrame.ReadAsync(new MemoryStream(frame), ShimJsonContext.Default.ShimRequest, CancellationToken.None);
        Assert.Equal(9, decoded!.Signal);
        Assert.True(decoded.All);
    }

    [Fact]
    public async Task End_of_stream_before_a_frame_is_null_but_inside_a_frame_is_an_error()
    {
        Assert.Null(await ShimFrame.ReadAsync(new MemoryStream(), ShimJsonContext.Default.ShimResponse, CancellationToken.None));
        var frame = ShimFrame.Encode(ShimResponse.Success(), ShimJsonContext.Default.ShimResponse);
        await Assert.ThrowsAsync<ShimProtocolException>(() =>
            ShimFrame.ReadAsync(new MemoryStream(frame[..^1]), ShimJsonContext.Default.ShimResponse, CancellationToken.None).AsTask());
    }

    [Fact]
    public void Frames_longer_than_the_limit_and_bad_stream_headers_are_rejected()
    {
        Assert.Throws<ShimProtocolException>(() => ShimFrame.PayloadLength([0x7f, 0xff, 0xff, 0xff]));
        Assert.Throws<ShimProtocolException>(() => StreamFrame.ReadHeader([9, 0, 0, 0, 0, 0, 0, 1]));
        var header = new byte[StreamFrame.HeaderSize];
        StreamFrame.WriteHeader(header, StreamFrame.Stderr, 300);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 1, 44 }, header);
        Assert.Equal((StreamFrame.Stderr, 300), StreamFrame.ReadHeader(header));
    }

    [Fact]
    public void An_exec_request_carries_the_OCI_process_as_an_object()
    {
        var process = new Oci.Process { Args = ["echo", "hi"], Terminal = true };
        var request = new ShimRequest
        {
            Op = ShimOperations.Exec, ExecId = "e1", Process = JsonSerializer.SerializeToElement(process, Oci.OciJsonContext.Default.Process),
        };
        var json = JsonDocument.Parse(ShimFrame.Encode(request, ShimJsonContext.Default.ShimRequest).AsMemory(4)).RootElement;
        Assert.Equal(JsonValueKind.Object, json.GetProperty("process").ValueKind);
        Assert.True(json.GetProperty("process").GetProperty("terminal").GetBoolean());
    }
}
