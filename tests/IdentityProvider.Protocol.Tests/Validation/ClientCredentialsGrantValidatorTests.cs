using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Validation.Grants;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace IdentityProvider.Protocol.Tests.Validation;

public sealed class ClientCredentialsGrantValidatorTests
{
    private readonly ClientCredentialsGrantValidator _validator = new(NullLogger<ClientCredentialsGrantValidator>.Instance);

    [Fact]
    public void Issues_TheRequestedScopes_WhenAllAreAllowed()
    {
        var result = _validator.Validate(Client(), Request("reports.read"));

        Assert.True(result.Succeeded);
        Assert.Equal(["reports.read"], result.Value.Scopes);
        Assert.Null(result.Value.Grant);
        // RFC 9068 §2.2: with no user, sub is the client itself.
        Assert.Equal("reports", result.Value.Subject);
    }

    [Fact]
    public void Issues_EveryRegisteredNonUserScope_WhenNoneIsRequested()
    {
        var result = _validator.Validate(Client(), Request(null));

        Assert.True(result.Succeeded);
        Assert.Equal(["reports.read", "reports.write"], result.Value.Scopes);
    }

    [Fact]
    public void Rejects_WhenAScopeIsNotRegistered()
    {
        var result = _validator.Validate(Client(), Request("reports.read admin"));

        Assert.Equal(ErrorCodes.InvalidScope, result.Error?.Error);
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("offline_access")]
    public void Rejects_WhenAUserScopeIsRequested(string scope)
    {
        var result = _validator.Validate(Client(), Request(scope));

        Assert.Equal(ErrorCodes.InvalidScope, result.Error?.Error);
    }

    [Fact]
    public void Rejects_WhenTheClientIsNotRegisteredForTheGrant()
    {
        var result = _validator.Validate(Client(grantTypes: [GrantTypes.AuthorizationCode]), Request(null));

        Assert.Equal(ErrorCodes.UnauthorizedClient, result.Error?.Error);
    }

    [Fact]
    public void Rejects_WhenTheClientIsPublic()
    {
        var result = _validator.Validate(Client(type: ClientType.Public), Request(null));

        Assert.Equal(ErrorCodes.UnauthorizedClient, result.Error?.Error);
    }

    private static AuthenticatedClient Client(ClientType type = ClientType.Confidential, string[]? grantTypes = null) =>
        new(new ClientDefinition
        {
            ClientId = "reports",
            DisplayName = "Reports",
            Type = type,
            TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
            AllowedGrantTypes = (grantTypes ?? [GrantTypes.ClientCredentials]).ToHashSet(),
            AllowedScopes = new HashSet<string> { "reports.write", "reports.read", "openid", "offline_access" },
        }, ClientAuthenticationMethods.ClientSecretBasic);

    private static ProtocolRequest Request(string? scope)
    {
        var parameters = new Dictionary<string, StringValues> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
        {
            parameters["scope"] = scope;
        }

        return ProtocolRequest.Parse(parameters, new ProtocolLimitsOptions()).Value!;
    }
}
