using System.Net;
using System.Net.Sockets;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>The rate-limit partition of a client address.</summary>
public static class ClientAddress
{
    /// <summary>
    /// <see cref="Microsoft.AspNetCore.Http.ConnectionInfo.RemoteIpAddress"/>, which the
    /// forwarded-headers middleware has already replaced with the client's address when the peer is
    /// a configured proxy (and only then). IPv4 as is; IPv6 by its /64 prefix, since one subscriber
    /// is usually given a whole /64 and could otherwise take a fresh bucket per request.
    /// </summary>
    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
