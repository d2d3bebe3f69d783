using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// Passkeys: WebAuthn ceremonies kept server-side and single use, when each passkey was last used,
/// and an administrator's pending "register a new passkey" request on the user.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0008_Passkeys")]
public sealed class Passkeys : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "PasskeyCeremonies",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                Purpose = table.Column<string>(maxLength: 20, nullable: false),
                UserId = table.Column<string>(nullable: true),
                PasskeyName = table.Column<string>(maxLength: 100, nullable: true),
                State = table.Column<string>(nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PasskeyCeremonies", x => x.Id);
                table.ForeignKey("FK_PasskeyCeremonies_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_PasskeyCeremonies_ExpiresAt", "PasskeyCeremonies", "ExpiresAt");
        migrationBuilder.CreateIndex("IX_PasskeyCeremonies_UserId", "PasskeyCeremonies", "UserId");

        migrationBuilder.AddColumn<DateTimeOffset>("LastUsedAt", "AspNetUserPasskeys", type: timestamp, nullable: true);
        migrationBuilder.AddColumn<DateTimeOffset>("PasskeyRequestedAt", "AspNetUsers", type: timestamp, nullable: true);
        migrationBuilder.AddColumn<string>("PasskeyRequestedBy", "AspNetUsers", maxLength: 256, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("PasskeyCeremonies");
        migrationBuilder.DropColumn("LastUsedAt", "AspNetUserPasskeys");
        migrationBuilder.DropColumn("PasskeyRequestedAt", "AspNetUsers");
        migrationBuilder.DropColumn("PasskeyRequestedBy", "AspNetUsers");
    }
}
