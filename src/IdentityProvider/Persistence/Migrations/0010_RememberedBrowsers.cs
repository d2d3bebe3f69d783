using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// "Don't ask again on this browser": one row per mark, the token stored only as its SHA-256,
/// bound to the user's security stamp when it was set.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0010_RememberedBrowsers")]
public sealed class RememberedBrowsers : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "RememberedBrowsers",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                UserId = table.Column<string>(nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                SecurityStamp = table.Column<string>(maxLength: 256, nullable: false),
                Description = table.Column<string>(maxLength: 200, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LastUsedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RememberedBrowsers", x => x.Id);
                table.ForeignKey("FK_RememberedBrowsers_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_RememberedBrowsers_ExpiresAt", "RememberedBrowsers", "ExpiresAt");
        migrationBuilder.CreateIndex("IX_RememberedBrowsers_UserId", "RememberedBrowsers", "UserId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("RememberedBrowsers");
    }
}
