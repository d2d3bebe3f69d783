using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class RememberedBrowserConfiguration : IEntityTypeConfiguration<RememberedBrowser>
{
    public const int DescriptionMaxLength = 200;

    public void Configure(EntityTypeBuilder<RememberedBrowser> builder)
    {
        builder.ToTable("RememberedBrowsers");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Id).HasMaxLength(64);
        builder.Property(b => b.TokenHash).HasMaxLength(64);
        builder.Property(b => b.SecurityStamp).HasMaxLength(256);
        builder.Property(b => b.Description).HasMaxLength(DescriptionMaxLength);
        builder.HasIndex(b => b.UserId);
        builder.HasIndex(b => b.ExpiresAt);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
