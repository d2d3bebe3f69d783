using System.Text.Json;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Tests.Fakes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Tests.Keys;

public sealed class SigningKeyRingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemorySigningKeyStore _store = new();
    private readonly SigningKeyOptions _options = new();
    private readonly SigningKeyGenerator _generator = new(new EphemeralDataProtectionProvider(), new GeneratedRsaKeyPairs());

    [Fact]
    public async Task FirstStart_CreatesOneSigningKeyPerAlgorithm()
    {
        var ring = CreateRing();

        await ring.EnsureKeysAsync(CancellationToken.None);

        var keys = await _store.ListAsync(CancellationToken.None);
        Assert.Equal(["ES256", "RS256"], keys.Select(k => k.Algorithm).Order());
        Assert.All(keys, k => Assert.Equal(_time.GetUtcNow(), k.ActivatesAt));
    }

    [Fact]
    public async Task Jwks_PublishesPublicMembersOnly()
    {
        var ring = CreateRing();
        await ring.EnsureKeysAsync(CancellationToken.None);

        var keys = await JwksAsync(ring);

        Assert.Equal(2, keys.Count);
        foreach (var key in keys)
        {
            Assert.Equal("sig", key.GetProperty("use").GetString());
            Assert.False(string.IsNullOrEmpty(key.GetProperty("kid").GetString()));
            Assert.Contains(key.GetProperty("alg").GetString(), SigningAlgorithms.All);
            foreach (var privateMember in new[] { "d", "p", "q", "dp", "dq", "qi" })
            {
                Assert.False(key.TryGetProperty(privateMember, out _), $"JWKS exposes private member '{privateMember}'");
            }
        }
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task Returns_CredentialsWhoseTokensVerifyAgainstTheJwks(string algorithm)
    {
        var ring = CreateRing();

        var token = await SignAsync(ring, algorithm);

        Assert.True(await VerifiesAsync(ring, token));
    }

    [Fact]
    public async Task Successor_IsPublishedBeforeItSigns()
    {
        var ring = CreateRing();
        var first = await CurrentKeyIdAsync(ring, "RS256");

        _time.Advance(_options.RotationInterval - _options.PrePublication + TimeSpan.FromMinutes(1));
        await ring.EnsureKeysAsync(CancellationToken.None);

        var published = await PublishedKeyIdsAsync(ring);
        var successor = Assert.Single(await _store.ListAsync(CancellationToken.None), k => k.Algorithm == "RS256" && k.KeyId != first);
        Assert.Contains(successor.KeyId, published);
        Assert.Equal(first, await CurrentKeyIdAsync(ring, "RS256"));

        _time.Advance(_options.PrePublication);
        Assert.Equal(successor.KeyId, await CurrentKeyIdAsync(ring, "RS256"));
    }

    [Fact]
    public async Task SupersededKey_StaysPublishedWhileItsTokensLive_ThenLeaves()
    {
        var ring = CreateRing();
        var first = await CurrentKeyIdAsync(ring, "RS256");
        var lastToken = await SignAsync(ring, "RS256");
        await ring.RotateNowAsync("RS256", CancellationToken.None);
        _time.Advance(_options.PrePublication);
        Assert.NotEqual(first, await CurrentKeyIdAsync(ring, "RS256"));

        _time.Advance(_options.MaxTokenLifetime);
        Assert.Contains(first, await PublishedKeyIdsAsync(ring));
        Assert.True(await VerifiesAsync(ring, lastToken, validateLifetime: false));

        _time.Advance(_options.ClockSkew + TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(first, await PublishedKeyIdsAsync(ring));
    }

    [Fact]
    public async Task RotateNow_PublishesTheNewKeyFirst_AndSignsWithItOnlyLater()
    {
        var ring = CreateRing();
        var first = await CurrentKeyIdAsync(ring, "ES256");

        var rotated = await ring.RotateNowAsync("ES256", CancellationToken.None);

        Assert.Contains(rotated.KeyId, await PublishedKeyIdsAsync(ring));
        Assert.Equal(first, await CurrentKeyIdAsync(ring, "ES256"));
        _time.Advance(_options.PrePublication - TimeSpan.FromSeconds(1));
        Assert.Equal(first, await CurrentKeyIdAsync(ring, "ES256"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(rotated.KeyId, await CurrentKeyIdAsync(ring, "ES256"));
    }

    [Fact]
    public async Task Revoke_RemovesTheKeyFromTheJwks_AndSignsWithAReplacementAtOnce()
    {
        var ring = CreateRing();
        var compromised = await CurrentKeyIdAsync(ring, "RS256");
        var signedBefore = await SignAsync(ring, "RS256");

        Assert.True(await ring.RevokeAsync(compromised, CancellationToken.None));

        Assert.DoesNotContain(compromised, await PublishedKeyIdsAsync(ring));
        var replacement = await CurrentKeyIdAsync(ring, "RS256");
        Assert.NotEqual(compromised, replacement);
        Assert.Contains(replacement, await PublishedKeyIdsAsync(ring));
        Assert.False(await VerifiesAsync(ring, signedBefore));
    }

    [Fact]
    public async Task Rejects_RevokingAnUnknownKey()
    {
        Assert.False(await CreateRing().RevokeAsync("no-such-kid", CancellationToken.None));
    }

    [Fact]
    public async Task AKeyAddedByAnotherNode_IsSeenAfterTheCacheDuration_NotBefore()
    {
        var ring = CreateRing();
        await ring.EnsureKeysAsync(CancellationToken.None);
        var before = await PublishedKeyIdsAsync(ring);
        var otherNode = CreateRing();

        var added = await otherNode.RotateNowAsync("RS256", CancellationToken.None);

        Assert.Equal(before, await PublishedKeyIdsAsync(ring));
        _time.Advance(_options.CacheDuration);
        Assert.Contains(added.KeyId, await PublishedKeyIdsAsync(ring));
    }

    private SigningKeyRing CreateRing() =>
        new(_store, _generator, _time, Options.Create(_options), NullLogger<SigningKeyRing>.Instance);

    private static async Task<string> CurrentKeyIdAsync(SigningKeyRing ring, string algorithm) =>
        (await ring.GetSigningCredentialsAsync(algorithm, CancellationToken.None)).Key.KeyId;

    private static async Task<List<JsonElement>> JwksAsync(SigningKeyRing ring)
    {
        var json = await ring.GetJwksAsync(CancellationToken.None);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.Clone()).ToList();
    }

    private static async Task<List<string>> PublishedKeyIdsAsync(SigningKeyRing ring) =>
        (await JwksAsync(ring)).Select(k => k.GetProperty("kid").GetString()!).ToList();

    private async Task<string> SignAsync(SigningKeyRing ring, string algorithm) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://id.example.com",
            Audience = "api",
            IssuedAt = _time.GetUtcNow().UtcDateTime,
            NotBefore = _time.GetUtcNow().UtcDateTime,
            Expires = _time.GetUtcNow().AddMinutes(5).UtcDateTime,
            SigningCredentials = await ring.GetSigningCredentialsAsync(algorithm, CancellationToken.None),
        });

    private static async Task<bool> VerifiesAsync(SigningKeyRing ring, string token, bool validateLifetime = false)
    {
        var jwks = new JsonWebKeySet(System.Text.Encoding.UTF8.GetString((await ring.GetJwksAsync(CancellationToken.None)).Span));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "https://id.example.com",
            ValidAudience = "api",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = validateLifetime,
        });
        return result.IsValid;
    }
}
