using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> builder)
    {
        builder.ToTable("Organisations");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).HasMaxLength(64);
        builder.Property(o => o.Name).HasMaxLength(200);
        builder.HasIndex(o => o.Name).IsUnique();
    }
}

internal sealed class OrganisationMemberConfiguration : IEntityTypeConfiguration<OrganisationMember>
{
    public void Configure(EntityTypeBuilder<OrganisationMember> builder)
    {
        builder.ToTable("OrganisationMembers");
        builder.HasKey(m => m.UserId);
        builder.Property(m => m.OrganisationId).HasMaxLength(64);
        builder.HasIndex(m => m.OrganisationId);
        builder.HasOne<ApplicationUser>().WithOne().HasForeignKey<OrganisationMember>(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MfaPolicySettingsConfiguration : IEntityTypeConfiguration<MfaPolicySettingsEntity>
{
    public void Configure(EntityTypeBuilder<MfaPolicySettingsEntity> builder)
    {
        builder.ToTable("MfaPolicySettings");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.EnforceFor).HasMaxLength(10);
        builder.Property(s => s.EnforcedRoles).HasMaxLength(2000);
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
    }
}
