using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// Upstream sign-ins in progress (federation): the upstream ID token and the account link a
/// sign-in may wait for, taken once by a conditional DELETE when the sign-in completes.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0016_FederatedSignInTickets")]
public sealed class FederatedSignInTickets : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "FederatedSignInTickets",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                ProviderId = table.Column<string>(maxLength: 100, nullable: false),
                Subject = table.Column<string>(maxLength: 255, nullable: false),
                UserId = table.Column<string>(nullable: false),
                UpstreamEmail = table.Column<string>(maxLength: 256, nullable: true),
                IdToken = table.Column<string>(maxLength: 20000, nullable: false),
                LinkAccount = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_FederatedSignInTickets", x => x.Id);
                table.ForeignKey("FK_FederatedSignInTickets_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_FederatedSignInTickets_ExpiresAt", "FederatedSignInTickets", "ExpiresAt");
        migrationBuilder.CreateIndex("IX_FederatedSignInTickets_UserId", "FederatedSignInTickets", "UserId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("FederatedSignInTickets");
    }
}
