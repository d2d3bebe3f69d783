using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Auditing;

public sealed class AuditLogTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private readonly IdentityProviderFactory _factory;

    public AuditLogTests() => _factory = new IdentityProviderFactory(_database);

    [Fact]
    public async Task RecordAsync_AppendsARowWithTheServerTime()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await scope.ServiceProvider.GetRequiredService<IAuditLog>().RecordAsync(
            new AuditRecord("test.action", "user-1", AuditOutcome.Failure, "user", "user-2", "why"), CancellationToken.None);

        var row = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "test.action"));
        Assert.Equal(("user-1", AuditOutcome.Failure, "user", "user-2", "why"), (row.Actor, row.Outcome, row.TargetType, row.TargetId, row.Details));
        Assert.InRange(row.OccurredAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task AuditRows_CannotBeChangedOrDeleted()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityProviderDbContext>();
        var row = await db.AuditEvents.FirstAsync();

        row.Details = "rewritten";
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();
        db.AuditEvents.Remove(await db.AuditEvents.FirstAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }

    public void Dispose()
    {
        _factory.Dispose();
        _database.Dispose();
    }
}
