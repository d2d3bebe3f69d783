using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// Password-reset and invitation links: one per user at most, the token stored only as its
/// SHA-256, single use by conditional update of <c>UsedAt</c>.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0015_PasswordResetLinks")]
public sealed class PasswordResetLinks : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "PasswordResetLinks",
            columns: table => new
            {
                UserId = table.Column<string>(nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                Invitation = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UsedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PasswordResetLinks", x => x.UserId);
                table.ForeignKey("FK_PasswordResetLinks_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_PasswordResetLinks_TokenHash", "PasswordResetLinks", "TokenHash", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("PasswordResetLinks");
    }
}
