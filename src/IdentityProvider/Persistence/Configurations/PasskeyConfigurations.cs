using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class PasskeyCeremonyConfiguration : IEntityTypeConfiguration<PasskeyCeremony>
{
    public void Configure(EntityTypeBuilder<PasskeyCeremony> builder)
    {
        builder.ToTable("PasskeyCeremonies");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasMaxLength(64);
        builder.Property(c => c.Purpose).HasMaxLength(20);
        builder.Property(c => c.PasskeyName).HasMaxLength(PasskeyColumns.NameMaxLength);
        builder.HasIndex(c => c.ExpiresAt);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Identity's passkey table, plus when each passkey last signed someone in (Identity does not record it).</summary>
internal sealed class UserPasskeyConfiguration : IEntityTypeConfiguration<IdentityUserPasskey<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserPasskey<string>> builder)
    {
        builder.Property<DateTimeOffset?>(PasskeyColumns.LastUsedAt);
    }
}

public static class PasskeyColumns
{
    public const string LastUsedAt = "LastUsedAt";
    public const int NameMaxLength = 100;
}
