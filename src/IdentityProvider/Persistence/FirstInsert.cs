using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence;

/// <summary>
/// Inserting a row whose key another request may insert at the same moment (one row per user, a
/// unique name): the database's key decides which request wins, on any node.
/// </summary>
internal static class FirstInsert
{
    /// <returns>False when a parallel request inserted the same key first; the context is left clean.</returns>
    public static async Task<bool> TryInsertAsync<T>(this IdentityProviderDbContext db, T row, CancellationToken cancellationToken)
        where T : class
    {
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.Entry(row).State = EntityState.Detached;
            return false;
        }
    }
}
