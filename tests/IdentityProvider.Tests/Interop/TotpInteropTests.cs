using IdentityProvider.Authentication.Totp;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Interop;

/// <summary>
/// Our TOTP against npm <c>otpauth</c>, an independent implementation: the same codes for a secret
/// we generated, and its Key URI parser reads our enrolment URI as we meant it.
/// </summary>
public sealed class TotpInteropTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;

    public Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task OtpAuth_ComputesOurCodes_AndParsesOurKeyUri()
    {
        var enrolment = await EnrolAsync("Ada Lovelace+mfa@example.com");
        long[] times = [0, 59, 1_111_111_109, 1_234_567_890, 1_767_225_600, 1_767_225_629, 1_767_225_630, 2_000_000_000, 20_000_000_000];

        var result = await NodeScript.RunAsync("totp", new { secret = enrolment.Secret, times, uri = enrolment.OtpAuthUri });

        var secret = Base32.Decode(enrolment.Secret);
        var ours = times.Select(t => Rfc6238.ComputeCode(secret, DateTimeOffset.FromUnixTimeSeconds(t))).ToArray();
        var theirs = result.GetProperty("codes").EnumerateArray().Select(c => c.GetString()).ToArray();
        Assert.Equal(ours, theirs);

        var uri = result.GetProperty("uri");
        Assert.Equal("totp", uri.GetProperty("type").GetString());
        Assert.Equal("Identity Provider", uri.GetProperty("issuer").GetString());
        Assert.Equal("Ada Lovelace+mfa@example.com", uri.GetProperty("label").GetString());
        Assert.Equal(enrolment.Secret, uri.GetProperty("secret").GetString());
        Assert.Equal("SHA1", uri.GetProperty("algorithm").GetString());
        Assert.Equal(6, uri.GetProperty("digits").GetInt32());
        Assert.Equal(30, uri.GetProperty("period").GetInt32());
    }

    private async Task<TotpEnrolment> EnrolAsync(string accountName)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var user = new ApplicationUser { UserName = "ada", Email = "ada@example.com" };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user)).Succeeded);
        return await scope.ServiceProvider.GetRequiredService<TotpAuthenticator>().BeginEnrolmentAsync(user.Id, accountName, default);
    }
}
