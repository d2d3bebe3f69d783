using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class SecuritySettingsConfiguration : IEntityTypeConfiguration<SecuritySettingsEntity>
{
    public void Configure(EntityTypeBuilder<SecuritySettingsEntity> builder)
    {
        builder.ToTable("SecuritySettings");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
    }
}
