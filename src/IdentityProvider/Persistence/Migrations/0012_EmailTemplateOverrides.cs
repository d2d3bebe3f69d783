using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>Administrators' texts for the provider's messages, one row per overridden template.</summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0012_EmailTemplateOverrides")]
public sealed class EmailTemplateOverrides : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "EmailTemplateOverrides",
            columns: table => new
            {
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Subject = table.Column<string>(maxLength: 200, nullable: false),
                TextBody = table.Column<string>(maxLength: 20000, nullable: false),
                HtmlBody = table.Column<string>(maxLength: 20000, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedBy = table.Column<string>(maxLength: 256, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_EmailTemplateOverrides", x => x.Name));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("EmailTemplateOverrides");
    }
}
