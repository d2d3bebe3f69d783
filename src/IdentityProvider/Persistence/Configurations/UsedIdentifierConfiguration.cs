using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class UsedIdentifierConfiguration : IEntityTypeConfiguration<UsedIdentifier>
{
    public void Configure(EntityTypeBuilder<UsedIdentifier> builder)
    {
        builder.ToTable("UsedIdentifiers");
        builder.HasKey(u => u.Key);
        builder.Property(u => u.Key).HasMaxLength(300);
        // Expired rows are swept by expiry.
        builder.HasIndex(u => u.ExpiresAt);
    }
}
