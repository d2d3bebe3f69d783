using System.Net;
using IdentityProvider.Authentication.RateLimiting;

namespace IdentityProvider.Tests.Authentication;

/// <summary>Which addresses share a sign-in rate-limit bucket.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void Partitions_IPv4ByAddress_AndIPv6ByItsSlash64(string address, string partition) =>
        Assert.Equal(partition, ClientAddress.PartitionKey(IPAddress.Parse(address)));

    [Fact]
    public void Partitions_ConnectionsWithoutAnAddress_Together() =>
        Assert.Equal("unknown", ClientAddress.PartitionKey(null));
}
