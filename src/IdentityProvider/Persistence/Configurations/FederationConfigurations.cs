using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class UpstreamProviderConfiguration : IEntityTypeConfiguration<UpstreamProviderEntity>
{
    public void Configure(EntityTypeBuilder<UpstreamProviderEntity> builder)
    {
        builder.ToTable("UpstreamProviders");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(40);
        builder.Property(p => p.DisplayName).HasMaxLength(200);
        builder.Property(p => p.Issuer).HasMaxLength(500);
        builder.Property(p => p.ClientId).HasMaxLength(200);
        builder.Property(p => p.ProtectedClientSecret).HasMaxLength(4000);
        builder.Property(p => p.ClientAuthentication).HasMaxLength(40);
        builder.Property(p => p.Scopes).HasMaxLength(1000);
        builder.Property(p => p.SubjectClaim).HasMaxLength(100);
        builder.Property(p => p.EmailClaim).HasMaxLength(100);
        builder.Property(p => p.NameClaim).HasMaxLength(100);
        builder.Property(p => p.GroupsClaim).HasMaxLength(100);
        builder.Property(p => p.MfaRule).HasMaxLength(40);
        builder.Property(p => p.Domains).HasMaxLength(2000);
    }
}

internal sealed class FederationStateConfiguration : IEntityTypeConfiguration<FederationState>
{
    public void Configure(EntityTypeBuilder<FederationState> builder)
    {
        builder.ToTable("FederationStates");
        builder.HasKey(s => s.StateHash);
        builder.Property(s => s.StateHash).HasMaxLength(64);
        builder.Property(s => s.ProviderId).HasMaxLength(40);
        builder.Property(s => s.Nonce).HasMaxLength(100);
        builder.Property(s => s.ProtectedCodeVerifier).HasMaxLength(1000);
        builder.Property(s => s.RequestId).HasMaxLength(200);
        builder.Property(s => s.BrowserBindingHash).HasMaxLength(64);
        builder.HasIndex(s => s.ExpiresAt);
    }
}
