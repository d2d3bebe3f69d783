using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>Counters for the sign-in lockout that Identity's AccessFailedCount (passwords) does not cover.</summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0006_SignInLockout")]
public sealed class SignInLockout : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<int>("SecondFactorFailedCount", "AspNetUsers", nullable: false, defaultValue: 0);
        migrationBuilder.AddColumn<int>("ConsecutiveFailedSignIns", "AspNetUsers", nullable: false, defaultValue: 0);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn("ConsecutiveFailedSignIns", "AspNetUsers");
        migrationBuilder.DropColumn("SecondFactorFailedCount", "AspNetUsers");
    }
}
