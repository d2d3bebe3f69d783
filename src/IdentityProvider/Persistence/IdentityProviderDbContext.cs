using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentityProvider.Persistence;

/// <summary>
/// The one database of the identity provider: Identity's tables (schema version 3, with passkeys),
/// data-protection keys shared by every node, and this product's own tables.
/// </summary>
public sealed class IdentityProviderDbContext(DbContextOptions<IdentityProviderDbContext> options)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<SetupToken> SetupTokens => Set<SetupToken>();

    public DbSet<SigningKeyEntity> SigningKeys => Set<SigningKeyEntity>();

    public DbSet<ClientEntity> Clients => Set<ClientEntity>();

    public DbSet<ClientSecretEntity> ClientSecrets => Set<ClientSecretEntity>();

    public DbSet<UsedIdentifier> UsedIdentifiers => Set<UsedIdentifier>();

    public DbSet<PendingAuthorizationEntity> PendingAuthorizations => Set<PendingAuthorizationEntity>();

    public DbSet<AuthorizationCodeEntity> AuthorizationCodes => Set<AuthorizationCodeEntity>();

    public DbSet<GrantEntity> Grants => Set<GrantEntity>();

    public DbSet<RefreshTokenEntity> RefreshTokens => Set<RefreshTokenEntity>();

    public DbSet<ConsentEntity> Consents => Set<ConsentEntity>();

    public DbSet<UserSessionEntity> UserSessions => Set<UserSessionEntity>();

    public DbSet<UserTotpSecret> UserTotpSecrets => Set<UserTotpSecret>();

    public DbSet<RecoveryCodeEntity> RecoveryCodes => Set<RecoveryCodeEntity>();

    public DbSet<EmailOutboxMessage> EmailOutbox => Set<EmailOutboxMessage>();

    public DbSet<LostDeviceLink> LostDeviceLinks => Set<LostDeviceLink>();

    public DbSet<EmailSignInCode> EmailSignInCodes => Set<EmailSignInCode>();

    public DbSet<PasskeyCeremony> PasskeyCeremonies => Set<PasskeyCeremony>();

    public DbSet<Organisation> Organisations => Set<Organisation>();

    public DbSet<OrganisationMember> OrganisationMembers => Set<OrganisationMember>();

    public DbSet<MfaPolicySettingsEntity> MfaPolicySettings => Set<MfaPolicySettingsEntity>();

    public DbSet<RememberedBrowser> RememberedBrowsers => Set<RememberedBrowser>();

    public DbSet<EmailTemplateOverride> EmailTemplateOverrides => Set<EmailTemplateOverride>();

    public DbSet<UpstreamProviderEntity> UpstreamProviders => Set<UpstreamProviderEntity>();

    public DbSet<FederationState> FederationStates => Set<FederationState>();
    public DbSet<FederatedSignInTicket> FederatedSignInTickets => Set<FederatedSignInTicket>();
    public DbSet<PasswordResetLink> PasswordResetLinks => Set<PasswordResetLink>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(IdentityProviderDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type, and EF cannot translate comparisons of DateTimeOffset stored as
        // text. Stored as a sortable integer instead, expiry checks run in SQL on both providers.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardAppendOnlyAudit();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardAppendOnlyAudit();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    // The audit trail is evidence: once written, a row is never changed or removed by the application.
    private void GuardAppendOnlyAudit()
    {
        if (ChangeTracker.Entries<AuditEvent>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("Audit events are append-only.");
        }
    }
}
