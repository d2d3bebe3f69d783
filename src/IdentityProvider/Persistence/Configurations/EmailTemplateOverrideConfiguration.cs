using IdentityProvider.Persistence.Entities;
using IdentityProvider.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityProvider.Persistence.Configurations;

internal sealed class EmailTemplateOverrideConfiguration : IEntityTypeConfiguration<EmailTemplateOverride>
{
    public void Configure(EntityTypeBuilder<EmailTemplateOverride> builder)
    {
        builder.ToTable("EmailTemplateOverrides");
        builder.HasKey(t => t.Name);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.Subject).HasMaxLength(EmailTemplateLimits.SubjectLength);
        builder.Property(t => t.TextBody).HasMaxLength(EmailTemplateLimits.BodyLength);
        builder.Property(t => t.HtmlBody).HasMaxLength(EmailTemplateLimits.BodyLength);
        builder.Property(t => t.UpdatedBy).HasMaxLength(256);
    }
}
