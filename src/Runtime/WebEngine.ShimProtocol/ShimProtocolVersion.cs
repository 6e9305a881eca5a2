namespace WebEngine.ShimProtocol;

/// <summary>The protocol version; a shim refuses a hello with another major version (see PROTOCOL.md).</summary>
public static class ShimProtocolVersion
{
    public const int Current = 1;
}
