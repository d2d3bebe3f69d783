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
