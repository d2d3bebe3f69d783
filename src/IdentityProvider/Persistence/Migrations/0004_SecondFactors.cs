using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// Second factors: a TOTP secret per user (data-protected, with the last accepted time step for
/// replay protection) and single-use recovery codes (salted hashes only).
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0004_SecondFactors")]
public sealed class SecondFactors : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "UserTotpSecrets",
            columns: table => new
            {
                UserId = table.Column<string>(nullable: false),
                ProtectedSecret = table.Column<string>(maxLength: 1000, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ActivatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                LastAcceptedStep = table.Column<long>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_UserTotpSecrets", x => x.UserId);
                table.ForeignKey("FK_UserTotpSecrets_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "RecoveryCodes",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                UserId = table.Column<string>(nullable: false),
                CodeHash = table.Column<string>(maxLength: 64, nullable: false),
                Salt = table.Column<string>(maxLength: 64, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RecoveryCodes", x => x.Id);
                table.ForeignKey("FK_RecoveryCodes_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_RecoveryCodes_UserId_CodeHash", "RecoveryCodes", ["UserId", "CodeHash"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("RecoveryCodes");
        migrationBuilder.DropTable("UserTotpSecrets");
    }
}
