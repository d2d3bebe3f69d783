using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.Primitives;

namespace IdentityProvider.Protocol.Tests.Primitives;

public sealed class ProtocolRequestTests
{
    private readonly ProtocolLimitsOptions _limits = new();

    [Fact]
    public void Returns_TheValues_OfAValidRequest()
    {
        var result = Parse(("client_id", ["crm"]), ("scope", ["openid profile"]));

        Assert.True(result.Succeeded);
        Assert.Equal("crm", result.Value["client_id"]);
        Assert.Equal("openid profile", result.Value["scope"]);
    }

    [Fact]
    public void Rejects_WhenAParameterIsRepeated()
    {
        var result = Parse(("client_id", ["crm"]), ("scope", ["openid", "profile"]));

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
        Assert.Contains("'scope'", result.Error?.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Returns_AnEmptyParameterAsAbsent()
    {
        var result = Parse(("client_id", ["crm"]), ("state", [""]));

        Assert.True(result.Succeeded);
        Assert.Null(result.Value["state"]);
    }

    [Fact]
    public void Rejects_WhenAValueIsTooLong()
    {
        var result = Parse(("client_id", [new string('a', 101)]));

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
        Assert.Contains("too long", result.Error?.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_WhenThereAreTooManyParameters()
    {
        var parameters = Enumerable.Range(0, 101).Select(i => ($"p{i}", new[] { "x" })).ToArray();

        var result = Parse(parameters);

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
    }

    [Fact]
    public void Returns_UnknownParametersUntouched()
    {
        var result = Parse(("client_id", ["crm"]), ("vendor_extension", ["1"]));

        Assert.True(result.Succeeded);
        Assert.Equal("1", result.Value["vendor_extension"]);
    }

    private ProtocolResult<ProtocolRequest> Parse(params (string Name, string[] Values)[] parameters) =>
        ProtocolRequest.Parse(parameters.Select(p => new KeyValuePair<string, StringValues>(p.Name, p.Values)), _limits);
}
