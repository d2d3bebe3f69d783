using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// Lost-device links: one per user at most, the token stored only as its SHA-256, single use by
/// conditional update of <c>UsedAt</c>.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0007_LostDeviceLinks")]
public sealed class LostDeviceLinks : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "LostDeviceLinks",
            columns: table => new
            {
                UserId = table.Column<string>(nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UsedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_LostDeviceLinks", x => x.UserId);
                table.ForeignKey("FK_LostDeviceLinks_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_LostDeviceLinks_TokenHash", "LostDeviceLinks", "TokenHash", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("LostDeviceLinks");
    }
}
