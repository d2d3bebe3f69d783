using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// The sign-in limits an administrator saved (lockout, TOTP window, recovery-code count). A new
/// table, so existing databases have no row and keep the configuration's values until the first save.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0013_SecuritySettings")]
public sealed class SecuritySettingsTable : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "SecuritySettings",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false),
                MaxFailedPasswords = table.Column<int>(nullable: false),
                MaxFailedCodes = table.Column<int>(nullable: false),
                LockoutDurationSeconds = table.Column<int>(nullable: false),
                TotpWindow = table.Column<int>(nullable: false),
                RecoveryCodeCount = table.Column<int>(nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedBy = table.Column<string>(maxLength: 256, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_SecuritySettings", x => x.Id));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("SecuritySettings");
    }
}
