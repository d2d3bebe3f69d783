using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Upstream;

/// <summary>What a started sign-in remembers until the upstream answers.</summary>
public sealed record PendingFederation(string ProviderId, string Nonce, string CodeVerifier, string? RequestId, string BrowserBindingHash, DateTimeOffset ExpiresAt);

/// <summary>
/// The <c>FederationStates</c> table: a row per sign-in sent upstream, keyed by the SHA-256 of its
/// <c>state</c>. Taking a row deletes it by a conditional DELETE, so of two callbacks carrying the
/// same state, on any nodes, exactly one gets it.
/// </summary>
public sealed class FederationStateStore(
    IdentityProviderDbContext db,
    IDataProtectionProvider dataProtection,
    TimeProvider time,
    IOptions<FederationOptions> options)
{
    private const string Purpose = "IdentityProvider.Federation.CodeVerifier.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public async Task SaveAsync(string state, string providerId, string nonce, string codeVerifier, string? requestId, string browserBindingHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        db.FederationStates.Add(new FederationState
        {
            StateHash = OpaqueTokens.Hash(state),
            ProviderId = providerId,
            Nonce = nonce,
            ProtectedCodeVerifier = _protector.Protect(codeVerifier),
            RequestId = requestId,
            BrowserBindingHash = browserBindingHash,
            CreatedAt = now,
            ExpiresAt = now + options.Value.StateLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <returns>The pending sign-in, or null when the state is unknown or another request took it first.</returns>
    public async Task<PendingFederation?> TakeAsync(string state, CancellationToken cancellationToken)
    {
        var hash = OpaqueTokens.Hash(state);
        var row = await db.FederationStates.AsNoTracking().SingleOrDefaultAsync(s => s.StateHash == hash, cancellationToken);
        if (row is null)
        {
            return null;
        }

        // The DELETE decides: a concurrent callback with the same state deletes nothing and is refused.
        if (await db.FederationStates.Where(s => s.StateHash == hash).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return null;
        }

        return new PendingFederation(row.ProviderId, row.Nonce, _protector.Unprotect(row.ProtectedCodeVerifier), row.RequestId, row.BrowserBindingHash, row.ExpiresAt);
    }
}
