using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace WebEngine.Engine.Networks;

/// <summary>An IPv4 subnet in CIDR form.</summary>
public readonly record struct Subnet(uint Network, int PrefixLength)
{
    public static Subnet Parse(string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], out var length) || length is < 1 or > 30)
            throw new InvalidArgumentException($"invalid subnet {cidr}: expected an IPv4 CIDR such as 172.20.0.0/16 (prefix length 1-30)");
        var value = ToUInt(address);
        var subnet = new Subnet(value & Mask(length), length);
        if (subnet.Network != value)
            throw new InvalidArgumentException($"invalid subnet {cidr}: it has host bits set (did you mean {subnet}?)");
        return subnet;
    }

    public uint Size => 1u << (32 - PrefixLength);

    public bool Contains(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork && (ToUInt(address) & Mask(PrefixLength)) == Network;

    public bool Overlaps(Subnet other)
    {
        var shorter = Math.Min(PrefixLength, other.PrefixLength);
        return (Network & Mask(shorter)) == (other.Network & Mask(shorter));
    }

    /// <summary>The n-th address of the subnet (1 is the usual gateway).</summary>
    public IPAddress Address(uint n) => FromUInt(Network + n);

    public uint IndexOf(IPAddress address) => ToUInt(address) - Network;

    public override string ToString() => $"{FromUInt(Network)}/{PrefixLength}";

    public static uint Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

    public static uint ToUInt(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    public static IPAddress FromUInt(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
