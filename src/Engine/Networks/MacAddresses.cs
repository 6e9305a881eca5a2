using System.Globalization;

namespace WebEngine.Engine.Networks;

/// <summary>Ethernet addresses as `docker run --mac-address` gives them.</summary>
public static class MacAddresses
{
    /// <summary>
    /// Six octets of two hex digits, separated by colons or hyphens, in lower case with colons (how the kernel shows
    /// it). A multicast address (the lowest bit of the first octet) cannot be an interface's and is refused too.
    /// </summary>
    public static string Normalize(string value)
    {
        var octets = value.Split(value.Contains('-') ? '-' : ':');
        if (octets.Length != 6 || octets.Any(o => o.Length != 2 || !byte.TryParse(o, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)))
            throw new InvalidArgumentException($"invalid MAC address {value}");
        if ((byte.Parse(octets[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) & 1) != 0)
            throw new InvalidArgumentException($"invalid MAC address {value}: a multicast address cannot be an interface's");
        return string.Join(':', octets).ToLowerInvariant();
    }
}
