using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class ApplicationUserConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        // Columns added to a table that already has rows need a default; the model states it too,
        // so a database created from the model equals a migrated one.
        builder.Property(u => u.SecondFactorFailedCount).HasDefaultValue(0);
        builder.Property(u => u.ConsecutiveFailedSignIns).HasDefaultValue(0);
        builder.Property(u => u.SuccessiveLockouts).HasDefaultValue(0);
        builder.Property(u => u.PasskeyRequestedBy).HasMaxLength(256);
        builder.Property(u => u.MfaRequired).HasDefaultValue(false);
        builder.Property(u => u.MfaEnrolmentDeferrals).HasDefaultValue(0);
    }
}
