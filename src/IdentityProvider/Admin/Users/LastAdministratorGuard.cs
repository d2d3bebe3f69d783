using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Users;

/// <summary>
/// Keeps at least one enabled administrator, so somebody can always open the console. Every change
/// of who is an enabled administrator (roles replaced, profile edited, account disabled) runs
/// <see cref="RunAsync"/>, whichever endpoint or page makes it.
/// </summary>
public sealed class LastAdministratorGuard(IdentityProviderDbContext db)
{
    /// <summary>
    /// Runs <paramref name="change"/> in a transaction that first writes the administrators' role
    /// row. That write serialises every such change on every node (PostgreSQL holds the row lock,
    /// SQLite its database write lock, until commit): two administrators removing each other in
    /// parallel would otherwise each still count the other and both succeed. The transaction commits
    /// only when <paramref name="succeeded"/> says the change went through.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> change, Func<T, bool> succeeded, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var role = Roles.Administrator.ToUpperInvariant();
        await db.Roles.Where(r => r.NormalizedName == role)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.ConcurrencyStamp, Guid.NewGuid().ToString()), cancellationToken);
        var result = await change();
        if (succeeded(result))
        {
            await transaction.CommitAsync(cancellationToken);
        }
        else
        {
            db.ChangeTracker.Clear();
        }

        return result;
    }

    /// <summary>Whether an enabled administrator other than <paramref name="userId"/> exists (call inside <see cref="RunAsync"/>).</summary>
    public Task<bool> OtherEnabledAdministratorExistsAsync(string userId, CancellationToken cancellationToken)
    {
        var role = Roles.Administrator.ToUpperInvariant();
        return db.Users.AnyAsync(u => u.Id != userId && u.DisabledAt == null
            && db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == role)), cancellationToken);
    }
}
