using System.Text.RegularExpressions;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Authentication;

public sealed class SqliteRecoveryCodeServiceTests : RecoveryCodeServiceTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRecoveryCodeServiceTests(PostgresCluster cluster) : RecoveryCodeServiceTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

public abstract partial class RecoveryCodeServiceTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private string _aliceId = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database);
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", EmailConfirmed = true };
        Assert.True((await users.CreateAsync(alice)).Succeeded);
        _aliceId = alice.Id;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Generates_TenDistinctCodes_StoredOnlyHashed()
    {
        var codes = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));

        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches(CodeFormat(), code));
        var rows = await _factory.WithDbAsync(db => db.RecoveryCodes.AsNoTracking().ToListAsync());
        Assert.Equal(10, rows.Count);
        Assert.All(rows, row => Assert.Equal(_aliceId, row.UserId));
        var stored = string.Join("|", rows.Select(r => $"{r.CodeHash}|{r.Salt}")).ToUpperInvariant();
        Assert.All(codes, code =>
        {
            Assert.DoesNotContain(code, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(code.Replace("-", ""), stored, StringComparison.Ordinal);
        });
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.RecoveryCodesGenerated));
        Assert.Equal(_aliceId, audit.TargetId);
    }

    [Fact]
    public async Task Redeems_ACodeOnce_AndCountsDown()
    {
        var codes = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));

        Assert.True(await RedeemAsync(codes[3]));
        Assert.False(await RedeemAsync(codes[3]));

        Assert.Equal(9, await WithCodesAsync(c => c.CountRemainingAsync(_aliceId, default)));
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.RecoveryCodeUsed));
        Assert.Equal(_aliceId, audit.Actor);
    }

    [Fact]
    public async Task Redeems_WhateverTheCaseSpacesAndDash()
    {
        var codes = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));

        Assert.True(await RedeemAsync(codes[0].ToLowerInvariant()));
        Assert.True(await RedeemAsync(" " + codes[1].Replace("-", "")));
        Assert.True(await RedeemAsync(codes[2].Replace("-", " - ")));
        Assert.Equal(7, await WithCodesAsync(c => c.CountRemainingAsync(_aliceId, default)));
    }

    [Fact]
    public async Task Refuses_AnotherUsersCode_AndMalformedInput()
    {
        var codes = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));
        string bobId;
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var bob = new ApplicationUser { UserName = "bob", Email = "bob@example.com" };
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(bob)).Succeeded);
            bobId = bob.Id;
        }

        Assert.False(await WithCodesAsync(c => c.RedeemAsync(bobId, codes[0], default)));
        Assert.False(await RedeemAsync(""));
        Assert.False(await RedeemAsync(codes[0] + "A"));
        Assert.False(await RedeemAsync("00000-00000"));
        Assert.Equal(10, await WithCodesAsync(c => c.CountRemainingAsync(_aliceId, default)));
    }

    [Fact]
    public async Task RedeemsExactlyOnce_WhenOneCodeIsUsedInParallel()
    {
        var codes = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => RedeemAsync(codes[5]))));

        Assert.Single(results, r => r);
        Assert.Equal(9, await WithCodesAsync(c => c.CountRemainingAsync(_aliceId, default)));
    }

    [Fact]
    public async Task Regenerating_InvalidatesEveryEarlierCode()
    {
        var old = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));
        var fresh = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));

        Assert.Empty(old.Intersect(fresh));
        Assert.False(await RedeemAsync(old[0]));
        Assert.True(await RedeemAsync(fresh[0]));
        Assert.Equal(9, await WithCodesAsync(c => c.CountRemainingAsync(_aliceId, default)));
    }

    [Fact]
    public async Task NeverLogs_ACode()
    {
        var codes = await WithCodesAsync(c => c.GenerateAsync(_aliceId, default));
        await RedeemAsync(codes[0]);
        await RedeemAsync(codes[0]);

        Assert.DoesNotContain(_factory.Logs.Lines, line => codes.Any(code =>
            line.Contains(code, StringComparison.OrdinalIgnoreCase) || line.Contains(code.Replace("-", ""), StringComparison.OrdinalIgnoreCase)));
    }

    [GeneratedRegex("^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{5}$")]
    private static partial Regex CodeFormat();

    private Task<bool> RedeemAsync(string code) => WithCodesAsync(c => c.RedeemAsync(_aliceId, code, default));

    private async Task<T> WithCodesAsync<T>(Func<RecoveryCodeService, Task<T>> action)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<RecoveryCodeService>());
    }
}
