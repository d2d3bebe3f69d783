using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// Emailed sign-in codes (the MFA policy's email fallback): one per user at most, stored as a keyed
/// hash, single use by conditional update of <c>UsedAt</c>, with the counters that limit sends.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0011_EmailSignInCodes")]
public sealed class EmailSignInCodes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "EmailSignInCodes",
            columns: table => new
            {
                UserId = table.Column<string>(nullable: false),
                CodeHash = table.Column<string>(maxLength: 64, nullable: false),
                ProtectedKey = table.Column<string>(maxLength: 1000, nullable: false),
                SentAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UsedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                WindowStartedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                SendsInWindow = table.Column<int>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_EmailSignInCodes", x => x.UserId);
                table.ForeignKey("FK_EmailSignInCodes_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("EmailSignInCodes");
    }
}
