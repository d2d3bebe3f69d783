using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class PendingAuthorizationConfiguration : IEntityTypeConfiguration<PendingAuthorizationEntity>
{
    public void Configure(EntityTypeBuilder<PendingAuthorizationEntity> builder)
    {
        builder.ToTable("PendingAuthorizations");
        builder.HasKey(p => p.IdHash);
        builder.Property(p => p.IdHash).HasMaxLength(64);
        builder.Property(p => p.AuthenticatedSessionId).HasMaxLength(64);
        builder.HasIndex(p => p.ExpiresAt);
    }
}

internal sealed class AuthorizationCodeConfiguration : IEntityTypeConfiguration<AuthorizationCodeEntity>
{
    public void Configure(EntityTypeBuilder<AuthorizationCodeEntity> builder)
    {
        builder.ToTable("AuthorizationCodes");
        builder.HasKey(c => c.CodeHash);
        builder.Property(c => c.CodeHash).HasMaxLength(64);
        builder.Property(c => c.ClientId).HasMaxLength(100);
        builder.Property(c => c.GrantId).HasMaxLength(64);
        builder.Property(c => c.Subject).HasMaxLength(200);
        builder.Property(c => c.SessionId).HasMaxLength(64);
        builder.Property(c => c.RedirectUri).HasMaxLength(2000);
        builder.Property(c => c.Scopes).HasMaxLength(1000);
        builder.Property(c => c.Nonce).HasMaxLength(500);
        builder.Property(c => c.CodeChallenge).HasMaxLength(128);
        builder.Property(c => c.Amr).HasMaxLength(200);
        builder.Property(c => c.Acr).HasMaxLength(200);
        builder.HasIndex(c => c.ExpiresAt);
    }
}

internal sealed class GrantConfiguration : IEntityTypeConfiguration<GrantEntity>
{
    public void Configure(EntityTypeBuilder<GrantEntity> builder)
    {
        builder.ToTable("Grants");
        builder.HasKey(g => g.GrantId);
        builder.Property(g => g.GrantId).HasMaxLength(64);
        builder.Property(g => g.ClientId).HasMaxLength(100);
        builder.Property(g => g.Subject).HasMaxLength(200);
        builder.Property(g => g.SessionId).HasMaxLength(64);
        builder.Property(g => g.Scopes).HasMaxLength(1000);
        builder.Property(g => g.Amr).HasMaxLength(200);
        builder.Property(g => g.Acr).HasMaxLength(200);
        // A user's grants are listed and revoked together (sign out everywhere, MFA reset).
        builder.HasIndex(g => g.Subject);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshTokenEntity>
{
    public void Configure(EntityTypeBuilder<RefreshTokenEntity> builder)
    {
        builder.ToTable("RefreshTokens");
        builder.HasKey(t => t.TokenHash);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Property(t => t.GrantId).HasMaxLength(64);
        builder.HasOne<GrantEntity>().WithMany().HasForeignKey(t => t.GrantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<ConsentEntity>
{
    public void Configure(EntityTypeBuilder<ConsentEntity> builder)
    {
        builder.ToTable("Consents");
        builder.HasKey(c => new { c.Subject, c.ClientId });
        builder.Property(c => c.Subject).HasMaxLength(200);
        builder.Property(c => c.ClientId).HasMaxLength(100);
        builder.Property(c => c.Scopes).HasMaxLength(1000);
    }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSessionEntity>
{
    public void Configure(EntityTypeBuilder<UserSessionEntity> builder)
    {
        builder.ToTable("UserSessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.Property(s => s.UserId).HasMaxLength(200);
        builder.HasIndex(s => s.UserId);
        builder.HasIndex(s => s.ExpiresAt);
    }
}
