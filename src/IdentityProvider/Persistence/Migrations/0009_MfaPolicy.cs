using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// The MFA policy's inputs: organisations with "Require MFA" and their members, the
/// per-user "MFA required" flag and enrolment grace, a client's required acr, and the settings an
/// administrator saved.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0009_MfaPolicy")]
public sealed class MfaPolicy : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "Organisations",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                RequireMfa = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Organisations", x => x.Id));
        migrationBuilder.CreateIndex("IX_Organisations_Name", "Organisations", "Name", unique: true);

        migrationBuilder.CreateTable(
            name: "MfaPolicySettings",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false),
                MfaEnabled = table.Column<bool>(nullable: false),
                EnforceFor = table.Column<string>(maxLength: 10, nullable: false),
                EnforcedRoles = table.Column<string>(maxLength: 2000, nullable: false),
                GraceSignIns = table.Column<int>(nullable: false),
                GraceDays = table.Column<int>(nullable: false),
                RememberBrowserDays = table.Column<int>(nullable: false),
                EmailFallback = table.Column<bool>(nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedBy = table.Column<string>(maxLength: 256, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_MfaPolicySettings", x => x.Id));

        migrationBuilder.CreateTable(
            name: "OrganisationMembers",
            columns: table => new
            {
                UserId = table.Column<string>(nullable: false),
                OrganisationId = table.Column<string>(maxLength: 64, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OrganisationMembers", x => x.UserId);
                table.ForeignKey("FK_OrganisationMembers_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_OrganisationMembers_Organisations_OrganisationId", x => x.OrganisationId, "Organisations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_OrganisationMembers_OrganisationId", "OrganisationMembers", "OrganisationId");

        migrationBuilder.AddColumn<bool>("MfaRequired", "AspNetUsers", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<int>("MfaEnrolmentDeferrals", "AspNetUsers", nullable: false, defaultValue: 0);
        migrationBuilder.AddColumn<DateTimeOffset>("MfaEnrolmentDueSince", "AspNetUsers", type: timestamp, nullable: true);

        migrationBuilder.AddColumn<string>("RequiredAcr", "Clients", maxLength: 40, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropForeignKey("FK_AspNetUsers_Organisations_OrganisationId", "AspNetUsers");

        migrationBuilder.DropIndex("IX_AspNetUsers_OrganisationId", "AspNetUsers");
        migrationBuilder.DropColumn("OrganisationId", "AspNetUsers");
        migrationBuilder.DropColumn("MfaRequired", "AspNetUsers");
        migrationBuilder.DropColumn("MfaEnrolmentDeferrals", "AspNetUsers");
        migrationBuilder.DropColumn("MfaEnrolmentDueSince", "AspNetUsers");
        migrationBuilder.DropColumn("RequiredAcr", "Clients");
        migrationBuilder.DropTable("MfaPolicySettings");
        migrationBuilder.DropTable("Organisations");
    }
}
