using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class FederatedSignInTicketConfiguration : IEntityTypeConfiguration<FederatedSignInTicket>
{
    public void Configure(EntityTypeBuilder<FederatedSignInTicket> builder)
    {
        builder.ToTable("FederatedSignInTickets");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(64);
        builder.Property(t => t.ProviderId).HasMaxLength(100);
        builder.Property(t => t.Subject).HasMaxLength(255);
        builder.Property(t => t.UpstreamEmail).HasMaxLength(256);
        builder.Property(t => t.IdToken).HasMaxLength(20000);
        builder.HasIndex(t => t.ExpiresAt);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
