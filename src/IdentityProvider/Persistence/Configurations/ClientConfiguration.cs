using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class ClientConfiguration : IEntityTypeConfiguration<ClientEntity>
{
    public void Configure(EntityTypeBuilder<ClientEntity> builder)
    {
        builder.ToTable("Clients");
        builder.HasKey(c => c.ClientId);
        builder.Property(c => c.ClientId).HasMaxLength(100);
        builder.Property(c => c.DisplayName).HasMaxLength(200);
        builder.Property(c => c.ClientType).HasMaxLength(20);
        builder.Property(c => c.TokenEndpointAuthMethod).HasMaxLength(40);
        builder.Property(c => c.AllowedGrantTypes).HasMaxLength(200);
        builder.Property(c => c.AllowedScopes).HasMaxLength(2000);
        builder.Property(c => c.RequiredAcr).HasMaxLength(40);
        builder.HasMany(c => c.Secrets).WithOne().HasForeignKey(s => s.ClientId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ClientSecretConfiguration : IEntityTypeConfiguration<ClientSecretEntity>
{
    public void Configure(EntityTypeBuilder<ClientSecretEntity> builder)
    {
        builder.ToTable("ClientSecrets");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.ClientId).HasMaxLength(100);
        builder.Property(s => s.SecretHash).HasMaxLength(64);
        builder.Property(s => s.Description).HasMaxLength(200);
        builder.HasIndex(s => s.ClientId);
    }
}
