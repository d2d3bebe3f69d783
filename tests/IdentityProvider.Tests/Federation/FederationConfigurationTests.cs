using IdentityProvider.Federation.Upstream;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Federation;

/// <summary>A <c>Federation:Providers</c> entry that could not work stops start-up, naming the entry and the problem.</summary>
public sealed class FederationConfigurationTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData("Id", "Corp IdP", "Id must be 1 to 40 characters")]
    [InlineData("Issuer", "http://login.corp.example", "Issuer must be an absolute https URL")]
    [InlineData("ClientId", "", "ClientId is required")]
    [InlineData("ClientSecret", "", "ClientSecret is required for client_secret_basic")]
    [InlineData("ClientAuthentication", "client_secret_jwt", "ClientAuthentication 'client_secret_jwt' is not one of")]
    [InlineData("MfaRule", "sometimes", "MfaRule 'sometimes' is not one of bypass, require-local, trust-upstream-amr")]
    [InlineData("Scopes:0", "email", "Scopes must include openid.")]
    [InlineData("Domains:0", "@corp.example", "Domains must be email domains")]
    public void RefusesToStart_WithAProviderThatCouldNotWork(string key, string value, string problem)
    {
        var settings = ValidProvider();
        settings["Federation:Providers:0:" + key] = value;
        using var factory = new IdentityProviderFactory(_database, settings: settings);

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains(error.Failures, f => f.StartsWith("Federation:Providers:0 ('", StringComparison.Ordinal) && f.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void RefusesToStart_WithTwoProvidersOfOneId()
    {
        var settings = ValidProvider();
        foreach (var (key, value) in ValidProvider())
        {
            settings[key.Replace(":0:", ":1:", StringComparison.Ordinal)] = value;
        }

        using var factory = new IdentityProviderFactory(_database, settings: settings);

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Federation:Providers:1 ('corp'): Id is used by an earlier entry.", error.Failures);
    }

    [Fact]
    public void Starts_WithAValidProvider_UsingTheDefaults()
    {
        using var factory = new IdentityProviderFactory(_database, settings: ValidProvider());

        using var client = factory.CreateClient();
        var options = (IOptions<IdentityProvider.Federation.FederationOptions>)factory.Services.GetService(typeof(IOptions<IdentityProvider.Federation.FederationOptions>))!;

        Assert.Equal("bypass", options.Value.Providers[0].MfaRule);
        Assert.True(options.Value.Providers[0].ProvisionUsers);
        Assert.False(options.Value.Providers[0].LinkByEmail);
    }

    [Theory]
    [InlineData(new[] { "pwd", "otp" }, null, true)]
    [InlineData(new[] { "pwd", "mfa" }, null, true)]
    [InlineData(new[] { "hwk", "fpt" }, null, true)]
    [InlineData(new[] { "pwd", "kba" }, null, false)] // two knowledge factors are one kind
    [InlineData(new[] { "pwd" }, null, false)]
    [InlineData(new string[0], "phr", true)]
    [InlineData(new string[0], "http://schemas.openid.net/pape/policies/2007/06/multi-factor", true)]
    [InlineData(new string[0], "urn:corp:silver", false)]
    public void ReadsMultipleFactors_FromAmrKindsOrAcr(string[] amr, string? acr, bool multiple) =>
        Assert.Equal(multiple, UpstreamClaimsMapper.ShowsMultipleFactors(amr, acr));

    private static Dictionary<string, string> ValidProvider() => new()
    {
        ["Federation:Providers:0:Id"] = "corp",
        ["Federation:Providers:0:DisplayName"] = "Corp",
        ["Federation:Providers:0:Issuer"] = "https://login.corp.example",
        ["Federation:Providers:0:ClientId"] = "idp",
        ["Federation:Providers:0:ClientSecret"] = "secret",
    };
}
