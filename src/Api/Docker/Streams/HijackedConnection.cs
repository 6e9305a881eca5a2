using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WebEngine.Engine;

namespace WebEngine.Api.Docker.Streams;

/// <summary>
/// A client connection taken over for a stream, as Docker's attach and exec start do. With `Connection: Upgrade` and
/// `Upgrade: tcp` the answer is `101` and the connection becomes a raw two-way byte stream; without them (older
/// clients) the answer is a `200` whose body is the output, and there is no input.
/// </summary>
public sealed class HijackedConnection
{
    public const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";
    public const string RawStream = "application/vnd.docker.raw-stream";

    /// <summary>The largest JSON body accepted in front of an upgraded stream.</summary>
    public const int MaxUpgradeBodyLength = 1024 * 1024;

    private HijackedConnection(Stream input, Stream output, bool upgraded)
    {
        Input = input;
        Output = output;
        Upgraded = upgraded;
    }

    /// <summary>What the client sends after the handshake (its stdin); empty when not upgraded.</summary>
    public Stream Input { get; }

    public Stream Output { get; }

    /// <summary>True for the 101 form, where the client can also send.</summary>
    public bool Upgraded { get; }

    public static bool CanUpgrade(HttpContext context) => context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true };

    /// <summary>
    /// The length of a body that <see cref="UpgradeWithBodyRewriter"/> moved behind the upgrade, or null. Throws a 400
    /// for one too large to read.
    /// </summary>
    public static int? UpgradeBodyLength(HttpContext context)
    {
        if (!context.Request.Headers.TryGetValue(UpgradeWithBodyRewriter.BodyLengthHeader, out var value))
            return null;
        if (!long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > MaxUpgradeBodyLength)
            throw new InvalidArgumentException($"request body too large (at most {MaxUpgradeBodyLength} bytes in front of an upgraded stream)");
        return (int)length;
    }

    /// <summary>
    /// The stream media type Docker announces: multiplexed frames without a terminal from API 1.42 on, raw bytes
    /// otherwise (older clients are told raw-stream even though the frames are there, as Moby does).
    /// </summary>
    public static string MediaType(HttpContext context, bool tty) =>
        !tty && context.GetApiVersion() >= new ApiVersion(1, 42) ? MultiplexedStream : RawStream;

    /// <summary>Sends the handshake (101 UPGRADED, or 200 for a client that did not ask to upgrade) and returns the streams.</summary>
    public static async Task<HijackedConnection> AcceptAsync(HttpContext context, string mediaType)
    {
        var response = context.Response;
        response.Headers.ContentType = mediaType;
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            response.Headers.Connection = "Upgrade";
            response.Headers.Upgrade = "tcp";
            var stream = await upgrade.UpgradeAsync();
            return new HijackedConnection(stream, stream, upgraded: true);
        }
        response.StatusCode = StatusCodes.Status200OK;
        await response.StartAsync(context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
        return new HijackedConnection(Stream.Null, response.Body, upgraded: false);
    }

    /// <summary>A WebSocket the client opened, as a two-way stream: each message it sends is input, each write is a message to it.</summary>
    public static HijackedConnection FromWebSocket(Stream messages) => new(messages, messages, upgraded: true);

    /// <summary>Reads the request body that was moved in front of the upgraded stream (see <see cref="UpgradeBodyLength"/>).</summary>
    public async Task<byte[]> ReadUpgradeBodyAsync(int length, CancellationToken cancellationToken)
    {
        var body = new byte[length];
        await Input.ReadExactlyAsync(body, cancellationToken);
        return body;
    }
}
