using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class LostDeviceLinkConfiguration : IEntityTypeConfiguration<LostDeviceLink>
{
    public void Configure(EntityTypeBuilder<LostDeviceLink> builder)
    {
        builder.ToTable("LostDeviceLinks");
        // The user is the key: one live link per account, and two parallel first requests cannot
        // both insert one.
        builder.HasKey(l => l.UserId);
        builder.Property(l => l.TokenHash).HasMaxLength(64);
        builder.HasIndex(l => l.TokenHash).IsUnique();
        builder.HasOne<ApplicationUser>().WithOne().HasForeignKey<LostDeviceLink>(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
