using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Persistence;

public sealed class ExpiredArtefactSweeperTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private IdentityProviderFactory _factory = null!;

    public Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database, _time);
        _ = _factory.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Deletes_WhatExpired_AndKeepsWhatIsCurrent()
    {
        var now = _time.GetUtcNow();
        await _factory.WithDbAsync(async db =>
        {
            db.PendingAuthorizations.AddRange(Pending("old", now.AddMinutes(-1)), Pending("live", now.AddMinutes(5)));
            db.UserSessions.AddRange(Session("old", now.AddMinutes(-1)), Session("live", now.AddHours(1)));
            db.AuthorizationCodes.AddRange(Code("replay-window", now.AddHours(-1)), Code("long-gone", now.AddDays(-2)));
            db.Grants.AddRange(Grant("expired", now.AddSeconds(-1)), Grant("revoked-but-current", now.AddDays(1), revokedAt: now));
            db.RefreshTokens.Add(new RefreshTokenEntity { TokenHash = "rt", GrantId = "expired", ExpiresAt = now.AddDays(1) });
            return await db.SaveChangesAsync();
        });

        await _factory.Services.GetRequiredService<ExpiredArtefactSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(["live"], await _factory.WithDbAsync(db => db.PendingAuthorizations.Select(p => p.IdHash).ToListAsync()));
        Assert.Equal(["live"], await _factory.WithDbAsync(db => db.UserSessions.Select(s => s.Id).ToListAsync()));
        Assert.Equal(["replay-window"], await _factory.WithDbAsync(db => db.AuthorizationCodes.Select(c => c.CodeHash).ToListAsync()));
        Assert.Equal(["revoked-but-current"], await _factory.WithDbAsync(db => db.Grants.Select(g => g.GrantId).ToListAsync()));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.RefreshTokens.CountAsync()));
    }

    [Fact]
    public async Task Deletes_AnEmailedSignInCode_OnlyOnceItsSendWindowIsOverToo()
    {
        var now = _time.GetUtcNow();
        await _factory.WithDbAsync(async db =>
        {
            foreach (var id in new[] { "gone", "counting", "live" })
            {
                db.Users.Add(new ApplicationUser { Id = id, UserName = id, CreatedAt = now });
            }

            db.EmailSignInCodes.AddRange(
                EmailCode("gone", expires: now.AddMinutes(-61), windowStarted: now.AddMinutes(-71)),
                // Expired, but still counts toward the hour's sends: deleting it would reset the count.
                EmailCode("counting", expires: now.AddMinutes(-1), windowStarted: now.AddMinutes(-30)),
                EmailCode("live", expires: now.AddMinutes(5), windowStarted: now.AddMinutes(-5)));
            return await db.SaveChangesAsync();
        });

        await _factory.Services.GetRequiredService<ExpiredArtefactSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(["counting", "live"], await _factory.WithDbAsync(db => db.EmailSignInCodes.Select(c => c.UserId).OrderBy(id => id).ToListAsync()));
    }

    private static EmailSignInCode EmailCode(string userId, DateTimeOffset expires, DateTimeOffset windowStarted) => new()
    {
        UserId = userId, CodeHash = new string('0', 64), ProtectedKey = "k", SentAt = expires.AddMinutes(-10),
        ExpiresAt = expires, WindowStartedAt = windowStarted, SendsInWindow = 1,
    };

    private static PendingAuthorizationEntity Pending(string id, DateTimeOffset expires) =>
        new() { IdHash = id, Parameters = "{}", CreatedAt = expires.AddMinutes(-30), ExpiresAt = expires };

    private static UserSessionEntity Session(string id, DateTimeOffset expires) =>
        new() { Id = id, UserId = "u", Ticket = [1], CreatedAt = expires.AddHours(-8), ExpiresAt = expires };

    private static AuthorizationCodeEntity Code(string hash, DateTimeOffset expires) => new()
    {
        CodeHash = hash, ClientId = "c", GrantId = "g-" + hash, Subject = "u", SessionId = "s", RedirectUri = "https://a/cb",
        Scopes = "openid", Amr = "pwd", ExpiresAt = expires,
    };

    private static GrantEntity Grant(string id, DateTimeOffset expires, DateTimeOffset? revokedAt = null) => new()
    {
        GrantId = id, ClientId = "c", Subject = "u", Scopes = "openid", Amr = "pwd", CreatedAt = expires.AddDays(-30), ExpiresAt = expires, RevokedAt = revokedAt,
    };
}
