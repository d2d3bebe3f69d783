using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class UserTotpSecretConfiguration : IEntityTypeConfiguration<UserTotpSecret>
{
    public void Configure(EntityTypeBuilder<UserTotpSecret> builder)
    {
        builder.ToTable("UserTotpSecrets");
        builder.HasKey(s => s.UserId);
        builder.Property(s => s.ProtectedSecret).HasMaxLength(1000);
        // Deleting a user deletes their factors with them.
        builder.HasOne<ApplicationUser>().WithOne().HasForeignKey<UserTotpSecret>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RecoveryCodeConfiguration : IEntityTypeConfiguration<RecoveryCodeEntity>
{
    public void Configure(EntityTypeBuilder<RecoveryCodeEntity> builder)
    {
        builder.ToTable("RecoveryCodes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.CodeHash).HasMaxLength(64);
        builder.Property(c => c.Salt).HasMaxLength(64);
        // Redemption deletes by (UserId, CodeHash); the index also serves the per-user lookups.
        builder.HasIndex(c => new { c.UserId, c.CodeHash }).IsUnique();
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
