using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class EmailOutboxConfiguration : IEntityTypeConfiguration<EmailOutboxMessage>
{
    public void Configure(EntityTypeBuilder<EmailOutboxMessage> builder)
    {
        builder.ToTable("EmailOutbox");
        builder.HasKey(m => m.Id);
        // RFC 5321 §4.5.3.1: a path is at most 256 octets; 320 also fits every address Identity accepts.
        builder.Property(m => m.To).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(1000);
        // Stored by name so an operator reading the table (or a later status) needs no lookup.
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.LastError).HasMaxLength(1000);
        builder.Property(m => m.ClaimedBy).HasMaxLength(100);
        // Every drain asks for pending messages whose time has come.
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
    }
}
