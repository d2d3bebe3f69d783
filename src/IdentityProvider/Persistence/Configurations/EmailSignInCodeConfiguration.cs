using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class EmailSignInCodeConfiguration : IEntityTypeConfiguration<EmailSignInCode>
{
    public void Configure(EntityTypeBuilder<EmailSignInCode> builder)
    {
        builder.ToTable("EmailSignInCodes");
        // The user is the key: one active code per account, and two parallel first sends cannot
        // both insert one.
        builder.HasKey(c => c.UserId);
        builder.Property(c => c.CodeHash).HasMaxLength(64);
        builder.Property(c => c.ProtectedKey).HasMaxLength(1000);
        builder.HasOne<ApplicationUser>().WithOne().HasForeignKey<EmailSignInCode>(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
