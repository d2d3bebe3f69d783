using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// The count of locks since the last complete sign-in, from which each lock's duration doubles:
/// the back-off that replaces a lock an attacker could make permanent.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0017_LockoutBackOff")]
public sealed class LockoutBackOff : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<int>("SuccessiveLockouts", "AspNetUsers", nullable: false, defaultValue: 0);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn("SuccessiveLockouts", "AspNetUsers");
    }
}
